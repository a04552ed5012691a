import { navigate, announce } from '../app.js';
import { signIn, signUp, verifyEmail } from '../api.js';
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
        navigate(await action(Object.fromEntries(fields.map(f => [f.input.name, f.input.value]))) ?? '/');
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

// Where to go after signing in: a path on this site only (never //elsewhere), else home.
function localPath(next) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export function renderSignIn(container, { query } = {}) {
  const next = localPath(query?.get('next'));
  authForm(container, 'Sign in',
    [field('email', 'Email', 'email', { autocomplete: 'username' }), field('password', 'Password', 'password', { autocomplete: 'current-password' })],
    'Sign in',
    async ({ email, password }) => {
      await signIn(email, password);
      announce('You are signed in.');
      return next;
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
      return '/check-email';
    },
    h('p', {}, 'Already have an account? ', link('/signin', 'Sign in'), '.'));
}

// Sign-up answers alike for a new and a taken email, so this page says only what to do next.
export function renderCheckEmail(container) {
  container.append(
    h('h1', {}, 'Check your email'),
    h('p', {}, 'We sent a mail to the address you gave. Open the link in it to confirm your email, then sign in.'),
    h('p', {}, 'No mail after a few minutes? Look in your spam folder, or ', link('/signup', 'sign up again'), ' for a new link.'));
}

export async function renderVerify(container, { query }) {
  const token = query.get('token') ?? '';
  try {
    await verifyEmail(token);
  } catch (error) {
    container.append(
      h('h1', {}, 'This link does not work'),
      h('p', { class: 'error', role: 'alert' }, error.fields?.token?.join(' ') ?? error.message),
      h('p', {}, link('/signup', 'Sign up again'), ' for a new link.'));
    return;
  }
  container.append(
    h('h1', {}, 'Email confirmed'),
    h('p', {}, 'Your account is ready. ', link('/signin?next=/rate', 'Sign in'), ' to start rating films.'));
}
