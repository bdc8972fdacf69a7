// login: the one screen that needs the network. After it the whole shift
// works offline. A guard whose session ended signs in again here; the
// outbox and evidence on the phone are kept.

import * as api from '../../shared/api.js';
import * as store from '../../shared/store.js';
import * as sync from '../../shared/sync.js';
import { prepareOwnKey } from '../handover.js';
import { takenOver } from '../signinhere.js';
import { t, lang, setLang, languages } from '../../shared/i18n.js';
import { h, button, field, banner } from '../../shared/ui.js';

export async function render({ rerender, session }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'login-email',
    value: (session && session.email) || '', inputmode: 'email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'login-password' });
  const message = h('div', { 'aria-live': 'polite' });
  if (session && session.taking_over) {
    // The outgoing guard handed the shift over and signed out on this
    // phone (signinhere.js): the incoming guard signs in with their own account.
    message.append(banner(t('taking_over', { from: session.taking_over.from, name: session.taking_over.name }), 'info'));
  } else if (session && session.user) {
    // Signed out with work on the phone: the guard is told it waits for
    // this sign-in, and that nothing is lost.
    const { waiting, unsent } = await store.counts();
    message.append(banner(waiting + unsent ? t('login_again_waiting', { n: waiting + unsent }) : t('login_again'), 'warn'));
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'login-submit' }, t('sign_in'));
  const form = h('form', {
    class: 'card',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      submit.textContent = t('signing_in');
      try {
        const signedIn = await api.login(email.value.trim(), password.value);
        await takenOver();
        // The countersign key is made now, online, so that this user can
        // countersign for a colleague later with no network.
        prepareOwnKey(signedIn.user, t('countersign_key_name')).catch(() => {});
        sync.syncNow().finally(rerender);
        location.hash = '#/today';
        rerender();
      } catch (error) {
        let text = t('error', { error: error.message });
        if (error.status === 0) text = t('login_offline');
        else if (error.status === 401 || error.status === 422) text = t('login_failed');
        message.replaceChildren(banner(text, 'error'));
        submit.disabled = false;
        submit.textContent = t('sign_in');
      }
    },
  }, field(t('email'), email), field(t('password'), password), submit);
  const switches = h('div', { class: 'lang-switch' }, languages.map(([code, name]) =>
    button(name, () => { setLang(code); rerender(); }, { kind: code === lang() ? 'secondary' : 'quiet', 'aria-pressed': String(code === lang()) })));
  return h('div', { class: 'login' },
    h('div', { class: 'brand' }, h('img', { src: './icons/icon.svg', alt: '' }),
      h('div', {}, h('strong', {}, t('app_name')), h('span', {}, t('tagline')))),
    message, form, switches);
}
