import { h } from './dom.js';

const label = value => value ? `${value.toFixed(1)} stars` : 'Not rated';

// Stars filled to a value, for reading (an average, a rating in a list).
export function starDisplay(value, text = label(value)) {
  const fill = h('span', { class: 'stars-fill' });
  fill.style.width = `${(value ?? 0) * 20}%`;   // through the CSSOM: the page's CSP allows no inline style attributes
  return h('span', { class: 'stars', role: 'img', 'aria-label': text }, fill);
}

// My rating: a slider from 0.5 to 5 in half stars. Pointer: the left half of a star is a half
// star. Keyboard: arrows move by half a star, Home/End go to the ends, Delete removes the rating.
// A change is saved once the keys rest for a moment, so 5 then ← saves 4.5 only.
export function ratingWidget(initial, onCommit) {
  let value = initial ?? 0;
  let saved = value;
  let timer;
  const fill = h('span', { class: 'stars-fill' });
  const slider = h('span', {
    class: 'stars rating-input', role: 'slider', tabindex: 0,
    'aria-label': 'My rating', 'aria-valuemin': 0.5, 'aria-valuemax': 5, 'aria-valuestep': 0.5,
  }, fill);
  const show = shown => {
    fill.style.width = `${shown * 20}%`;
  };
  const set = next => {
    value = next;
    show(value);
    slider.setAttribute('aria-valuenow', value || 0);
    slider.setAttribute('aria-valuetext', label(value));
  };
  const commitSoon = delay => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (value === saved) return;
      const before = saved;
      saved = value;
      try {
        await onCommit(value || null);
      } catch {
        saved = before;   // onCommit has told the person why
        set(before);
      }
    }, delay);
  };
  const at = event => {
    const box = slider.getBoundingClientRect();
    return Math.min(5, Math.max(0.5, Math.ceil(((event.clientX - box.left) / box.width) * 10) / 2));
  };
  slider.addEventListener('pointermove', event => show(at(event)));
  slider.addEventListener('pointerleave', () => show(value));
  slider.addEventListener('click', event => {
    set(at(event));
    commitSoon(0);
  });
  slider.addEventListener('keydown', event => {
    const steps = { ArrowRight: 0.5, ArrowUp: 0.5, ArrowLeft: -0.5, ArrowDown: -0.5 };
    let next;
    if (event.key in steps) next = Math.min(5, Math.max(0.5, (value || (steps[event.key] > 0 ? 0 : 1)) + steps[event.key]));
    else if (event.key === 'Home') next = 0.5;
    else if (event.key === 'End') next = 5;
    else if (event.key === 'Delete' || event.key === 'Backspace') next = 0;
    else return;
    event.preventDefault();
    set(next);
    commitSoon(700);
  });
  set(value);
  return slider;
}
