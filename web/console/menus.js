// menus gathers the top bar's links into a few menus (operations, duties,
// setup), so that an administrator's fifteen screens fit a tablet's bar at
// 1024 and 768 px without it scrolling sideways. A menu is a <details>:
// it opens by touch, mouse or keyboard without script; the script only
// closes the others, and closes them all on a tap elsewhere or Escape.

import { h } from '../shared/ui.js';
import { s, addStrings } from './strings.js';

addStrings({
  en: { nav_group_operations: 'Operations', nav_group_duties: 'Duties', nav_group_setup: 'Setup' },
  'zh-CN': { nav_group_operations: '运营', nav_group_duties: '值班', nav_group_setup: '设置' },
});

// menus turns the visible route-table entries into the bar's items: a
// link for a screen without a group, one menu per group (at the place of
// its first screen) holding the group's links. current is the screen shown;
// its link, and the menu holding it, are marked as the current page.
export function menus(entries, current) {
  const items = [];
  const groups = new Map();
  for (const screen of entries) {
    // A screen reached from a listed one (a finding from the findings) keeps its link lit.
    const lit = screen === current || (screen.path !== '#/' && current.path.startsWith(screen.path));
    const link = h('a', { href: screen.path, 'aria-current': lit ? 'page' : null }, s(screen.nav));
    if (!screen.group) {
      items.push(link);
      continue;
    }
    let menu = groups.get(screen.group);
    if (!menu) {
      const list = h('div', { class: 'console-menu-list' });
      const summary = h('summary', { class: 'console-menu-title' }, s(`nav_group_${screen.group}`));
      menu = { list, summary, details: h('details', { class: 'console-menu', dataset: { group: screen.group }, ontoggle: opened }, summary, list) };
      groups.set(screen.group, menu);
      items.push(menu.details);
    }
    menu.list.append(link);
    if (lit) menu.summary.dataset.current = 'true';
  }
  return items;
}

// opened closes the other menus and keeps the list inside the window: a
// menu near the right edge opens leftwards, so the page never grows wider.
function opened(event) {
  const menu = event.target;
  if (!menu.open) return;
  for (const other of document.querySelectorAll('details.console-menu[open]')) if (other !== menu) other.open = false;
  const list = menu.querySelector('.console-menu-list');
  list.classList.remove('console-menu-end');
  if (list.getBoundingClientRect().right > document.documentElement.clientWidth) list.classList.add('console-menu-end');
}

// closeAll closes the open menus but the one tapped in; a link chosen
// in a menu closes it too (the current screen's link changes no hash).
function closeAll(target) {
  const chosen = target && target.closest && target.closest('.console-menu-list a');
  for (const menu of document.querySelectorAll('details.console-menu[open]')) if (chosen || !menu.contains(target)) menu.open = false;
}

document.addEventListener('click', (event) => closeAll(event.target));
document.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeAll(null); });
