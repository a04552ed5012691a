import { navigate, announce } from '../app.js';
import { signIn, signUp } from '../api.js';
import { h, link } from '../dom.js';

function field(name, label, type, { hint, ...attributes } = {}) {
  const input = h('input', { id: name, name, type, required: true, 'aria-describedby': `${name}-error`, ...attributes });
  const error = h('span', { class: 'field-error', id: `${name}-error` });
  return { input, error, element: h('div', { class: 'field' }, h('label', { for: name }, label), input, hint ? h('span', { class: 'hint' }, hint) : null, error) };
}

function authForm(container, heading, fields, submitText, action, footer) {
  const summary = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit' }, submitText);
  const form = h('form', {
    class: 'auth', novalidate: true, onsubmit: async event => {
      event.preventDefault();
      summary.textContent = '';
      fields.forEach(f => { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); });
      button.disabled = true;
      try {
        await action(Object.fromEntries(fields.map(f => [f.input.name, f.input.value])));
        navigate('/');
      } catch (error) {
        summary.textContent = error.message;
        for (const f of fields) {
          const messages = error.fields?.[f.input.name];
          if (messages) {
            f.error.textContent = messages.join(' ');
            f.input.setAttribute('aria-invalid', 'true');
          }
        }
      } finally {
        button.disabled = false;
      }
    },
  }, fields.map(f => f.element), summary, button);
  container.append(h('h1', {}, heading), form, footer);
}

export function renderSignIn(container) {
  authForm(container, 'Sign in',
    [field('email', 'Email', 'email', { autocomplete: 'username' }), field('password', 'Password', 'password', { autocomplete: 'current-password' })],
    'Sign in',
    async ({ email, password }) => {
      await signIn(email, password);
      announce('You are signed in.');
    },
    h('p', {}, 'New to Matcha? ', link('/signup', 'Create an account'), '.'));
}

export function renderSignUp(container) {
  authForm(container, 'Create an account',
    [
      field('displayName', 'Name shown to others', 'text', { autocomplete: 'nickname', maxlength: 50 }),
      field('email', 'Email', 'email', { autocomplete: 'username' }),
      field('password', 'Password', 'password', { autocomplete: 'new-password', minlength: 15, hint: 'At least 15 characters; a few unusual words make a good one.' }),
    ],
    'Sign up',
    async ({ email, password, displayName }) => {
      await signUp(email, password, displayName);
      announce('Welcome to Matcha. You are signed in.');
    },
    h('p', {}, 'Already have an account? ', link('/signin', 'Sign in'), '.'));
}
