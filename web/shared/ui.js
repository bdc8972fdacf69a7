// ui holds the small components every screen builds from. Elements are
// made with h(); text is always set as text, never parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'style') {
      // Through the CSSOM: the content security policy refuses style attributes.
      element.style.cssText = value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== 'string') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function button(text, onClick, { kind = 'primary', ...attrs } = {}) {
  return h('button', { type: 'button', class: `btn btn-${kind}`, onclick: onClick, ...attrs }, text);
}

// icon draws one of the app's line icons (24 px, currentColor).
const paths = {
  home: 'M3 11l9-8 9 8v10h-6v-6H9v6H3z',
  route: 'M6 3a3 3 0 110 6 3 3 0 010-6zm12 12a3 3 0 110 6 3 3 0 010-6zM6 9v4a4 4 0 004 4h5',
  check: 'M4 12l5 5L20 6',
  clipboard: 'M9 3h6v3H9zM6 5h3M15 5h3v16H6V5',
  alert: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  wrench: 'M14 6a4 4 0 015 5l-8 8-5-5 8-8z',
  sync: 'M4 12a8 8 0 0114-5l2 2M20 12a8 8 0 01-14 5l-2-2M20 4v5h-5M4 20v-5h5',
  camera: 'M4 7h4l2-3h4l2 3h4v13H4zM12 10a4 4 0 110 8 4 4 0 010-8z',
  qr: 'M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3zM14 14h3v3h-3zM18 18h3v3h-3z',
  pen: 'M4 20l4-1 11-11-3-3L5 16z',
  pin: 'M12 21s7-6 7-12a7 7 0 00-14 0c0 6 7 12 7 12zM12 7a2 2 0 110 4 2 2 0 010-4z',
  offline: 'M2 8a15 15 0 0120 0M5 12a10 10 0 0114 0M8.5 15.5a5 5 0 017 0M12 19v.5M3 3l18 18',
  chevron: 'M9 5l7 7-7 7',
  back: 'M15 5l-7 7 7 7',
  plus: 'M12 5v14M5 12h14',
  lock: 'M6 11h12v10H6zM8 11V7a4 4 0 018 0v4',
  nfc: 'M6 8a8 8 0 010 8M10 6a12 12 0 010 12M14 4a16 16 0 010 16',
};

export function icon(name, size = 24) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', paths[name] || paths.check);
  svg.append(path);
  return svg;
}

// badge shows a state in words and colour; the colour never carries meaning alone.
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function banner(text, tone = 'info', action = null) {
  return h('div', { class: `banner banner-${tone}`, role: tone === 'error' ? 'alert' : 'status' }, h('span', {}, text), action);
}

export function empty(text) {
  return h('div', { class: 'state state-empty' }, text);
}

export function loading(text) {
  return h('div', { class: 'state state-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function failure(text, retry) {
  return h('div', { class: 'state state-error', role: 'alert' }, h('p', {}, text), retry);
}

export function card(attrs, ...children) {
  return h('section', { class: 'card', ...attrs }, ...children);
}

// field wraps an input with its label and hint for screen readers.
export function field(labelText, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hint ? h('p', { class: 'hint' }, hint) : null);
}

let toastTimer = null;

export function toast(text) {
  let node = document.getElementById('toast');
  if (!node) {
    node = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(node);
  }
  node.textContent = text;
  node.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove('show'), 3500);
}

export function progress(done, total) {
  const percent = total ? Math.round((done / total) * 100) : 0;
  return h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(total),
    'aria-valuenow': String(done) }, h('div', { class: 'progress-bar', style: `width:${percent}%` }));
}

// confirm asks a yes/no question in a modal dialog; it resolves true when
// the user agrees.
export function confirm(text, okText, cancelText) {
  return new Promise((resolve) => {
    const node = h('dialog', { class: 'confirm', id: 'confirm-dialog' });
    const answer = (value) => { node.close(); resolve(value); };
    node.append(h('p', {}, text), h('div', { class: 'btn-row' },
      button(cancelText, () => answer(false), { kind: 'secondary', id: 'confirm-cancel' }),
      button(okText, () => answer(true), { id: 'confirm-ok' })));
    node.addEventListener('cancel', () => resolve(false));
    node.addEventListener('close', () => node.remove());
    document.body.append(node);
    node.showModal();
  });
}
