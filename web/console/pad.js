// pad is the supervisor's signature on the tablet: pointer events (finger,
// pen or mouse) recorded as strokes of [x, y] points in CSS pixels of the
// canvas, the format the API's signatures carry. drawStrokes draws strokes
// back onto any canvas, scaled to fit.

import { h } from '../shared/ui.js';

export function signaturePad(labelText) {
  const canvas = h('canvas', { class: 'console-pad-canvas', id: 'console-pad', 'aria-label': labelText, role: 'img' });
  const element = h('div', { class: 'console-pad' }, canvas, h('div', { class: 'console-pad-hint' }, labelText));
  const pad = { canvas, element, strokes: [], onchange: null };
  let current = null;
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
    for (const stroke of pad.strokes) line(ctx, stroke);
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
    line(context(), current.slice(-(events.length || 1) - 1));
    event.preventDefault();
  });
  const end = () => {
    if (!current) return;
    if (current.length === 1) current.push([...current[0]]);
    line(context(), current);
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

function line(ctx, stroke) {
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

// pointsOf reads a stroke in either format the API has seen: [x, y] pairs
// or {x, y} objects.
function pointsOf(stroke) {
  return (Array.isArray(stroke) ? stroke : []).map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p && p.x, p && p.y]))
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
}

// drawStrokes draws strokes on a canvas of width × height CSS pixels,
// scaled and centred to fit with a margin.
export function drawStrokes(canvas, strokes, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const lines = strokes.map(pointsOf).filter((points) => points.length);
  const all = lines.flat();
  if (!all.length) return;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const spanX = Math.max(Math.max(...xs) - minX, 1);
  const spanY = Math.max(Math.max(...ys) - minY, 1);
  const margin = 8;
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY, 4);
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  for (const points of lines) line(ctx, points.map(([x, y]) => [offsetX + (x - minX) * scale, offsetY + (y - minY) * scale]));
}
