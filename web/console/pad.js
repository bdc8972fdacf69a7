// pad is the supervisor's signature on the tablet: the shared pad
// (web/shared/pad.js) in the console's style. drawStrokes draws strokes
// back onto any canvas, scaled to fit.

import { signaturePad as sharedPad, drawLine as line } from '../shared/pad.js';

export function signaturePad(labelText) {
  return sharedPad({ label: labelText, className: 'console-pad', canvasClass: 'console-pad-canvas', id: 'console-pad' });
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
