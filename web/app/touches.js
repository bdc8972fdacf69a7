// touches keeps background redraws away from a finger on the screen. A
// redraw replaces the screen's elements; one landing between a touch's
// press and its click takes the pressed element away, and the tap is lost
// (the guard taps Drills as the network comes back and stays on Today).
// While a pointer is down, a background redraw waits; it runs once every
// pointer is released and its click has been delivered.
//
// Each press is tracked by its own pointerId and its own token, so that a
// late fallback of an earlier press can never end a newer one (a mouse
// always has the same pointerId). A press ends with its pointerup,
// pointercancel or lost pointer capture; a press whose end never arrives
// (the page lost focus mid-touch) ends after HELD_MS as the last resort.

const HELD_MS = 10000;
// A touch's click follows its pointerup as a separate event (the browser's
// tap gesture), so the waiting redraw runs at that click, or after
// CLICK_MS when the release makes no click (a drag, a long press).
const CLICK_MS = 400;

const pressed = new Map();
const waiting = new Map();
let clickTimer = null;

function start(event) {
  const token = {};
  token.timer = setTimeout(() => end(event.pointerId, token), HELD_MS);
  const earlier = pressed.get(event.pointerId);
  if (earlier) clearTimeout(earlier.timer);
  pressed.set(event.pointerId, token);
  clearTimeout(clickTimer);
  clickTimer = null;
}

// end releases one press; token, when given, must be the press's own.
// The last release keeps redraws waiting until its click (clicked), or
// only to the next task when no click can follow (a cancelled touch).
function end(pointerId, token, clicked = true) {
  const press = pressed.get(pointerId);
  if (!press || (token && press !== token)) return;
  clearTimeout(press.timer);
  pressed.delete(pointerId);
  if (pressed.size) return;
  clearTimeout(clickTimer);
  clickTimer = setTimeout(flush, clicked ? CLICK_MS : 0);
}

function flush() {
  clearTimeout(clickTimer);
  clickTimer = null;
  if (pressed.size || !waiting.size) return;
  const runs = [...waiting.values()];
  waiting.clear();
  document.documentElement.removeAttribute('data-redraw-waiting');
  for (const run of runs) run();
}

addEventListener('pointerdown', start, true);
addEventListener('pointerup', (event) => end(event.pointerId), true);
addEventListener('pointercancel', (event) => end(event.pointerId, null, false), true);
// Capture is released at every pointerup too; capture lost while the
// button is still down (the pressed element went away) ends the press.
addEventListener('lostpointercapture', (event) => { if (event.buttons) end(event.pointerId, null, false); }, true);
// The click a release makes reaches its own handlers first; the waiting
// redraw runs a task later, never in their way.
addEventListener('click', () => {
  if (pressed.size || !clickTimer) return;
  clearTimeout(clickTimer);
  clickTimer = setTimeout(flush, 0);
}, true);
// A page hidden mid-touch gets no release.
addEventListener('blur', () => { for (const id of [...pressed.keys()]) end(id, null, false); });

// held says whether a finger (or mouse button) is down on the page.
export function held() {
  return pressed.size > 0;
}

// afterTouch runs redraw now, or once the touches on the page are over.
// Of the redraws waiting under one key only the last asked for runs: each
// draws the whole current state.
export function afterTouch(key, redraw) {
  if (!pressed.size && !clickTimer) {
    redraw();
    return;
  }
  waiting.set(key, redraw);
  // What the page waits for, for a test to see and a developer to inspect.
  document.documentElement.setAttribute('data-redraw-waiting', 'true');
}
