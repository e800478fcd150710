// A modal confirmation: the native <dialog> (focus kept inside, Escape closes it, focus returns to the opener).
import {h} from './dom.js';

/**
 * Asks to confirm; resolves true when the user confirms. content: nodes (text only, never markup).
 * confirmLabel names the action ("Cut over"), keepLabel the way out ("Keep it running").
 */
export function confirmDialog({title, content, confirmLabel, keepLabel = 'Close', danger = false, id}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = `${id || 'confirm'}-title`;
    const confirm = h('button', {class: danger ? 'danger' : 'primary', attrs: {type: 'button', value: 'confirm'},
      text: confirmLabel});
    const keep = h('button', {attrs: {type: 'button', value: 'keep'}, text: keepLabel});
    const dialog = h('dialog', {class: 'confirm', id: id || null, attrs: {'aria-labelledby': titleId}},
      h('h2', {id: titleId, text: title}),
      h('div', {class: 'dialog-body'}, content),
      h('div', {class: 'dialog-buttons'}, confirm, keep));
    let answered = false;
    const close = (yes) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener && opener.focus) opener.focus();
      resolve(yes);
    };
    confirm.addEventListener('click', () => close(true));
    keep.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    keep.focus();
  });
}
