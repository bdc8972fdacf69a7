// pad is the one signature pad of the guard app and the console: pointer
// events (finger, pen or mouse) recorded as strokes of [x, y] points in CSS
// pixels of the canvas, the stroke format the API's signatures carry.

import { h } from './ui.js';

// signaturePad makes a pad labelled label. className names the element;
// its canvas gets canvasClass and id when given. pad.strokes holds what
// was drawn, pad.onchange(strokes) is told after each stroke and clear().
export function signaturePad({ label, className, canvasClass, id }) {
  const canvas = h('canvas', { class: canvasClass, id, 'aria-label': label, role: 'img' });
  const element = h('div', { class: className }, canvas, h('div', { class: `${className}-hint` }, label));
  const pad = { canvas, element, strokes: [], onchange: null };
  let current = null;
  // context sizes the canvas to its box at the device's pixel ratio (which
  // clears it) and answers a context drawing in CSS pixels.
  const context = () => {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  };
  const redraw = () => {
    const ctx = context();
    ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
    for (const stroke of pad.strokes) drawLine(ctx, stroke);
  };
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [Math.round((event.clientX - box.left) * 10) / 10, Math.round((event.clientY - box.top) * 10) / 10];
  };
  canvas.addEventListener('pointerdown', (event) => {
    if (pad.strokes.length === 0) redraw();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    pad.strokes.push(current);
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!current) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const one of events.length ? events : [event]) current.push(point(one));
    drawLine(context(), current.slice(-(events.length || 1) - 1));
    event.preventDefault();
  });
  const end = () => {
    if (!current) return;
    if (current.length === 1) current.push([...current[0]]); // a dot
    drawLine(context(), current);
    current = null;
    if (pad.onchange) pad.onchange(pad.strokes);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  pad.clear = () => {
    pad.strokes = [];
    redraw();
    if (pad.onchange) pad.onchange(pad.strokes);
  };
  return pad;
}

// drawLine draws one stroke of [x, y] points in ink.
export function drawLine(ctx, stroke) {
  if (stroke.length === 0) return;
  ctx.lineWidth = 2.5;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = '#0b1526';
  ctx.beginPath();
  ctx.moveTo(stroke[0][0], stroke[0][1]);
  for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
  ctx.stroke();
}
