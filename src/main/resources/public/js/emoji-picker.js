// A small emoji picker: a row of common emoji under the message being reacted to. One picker is open at a time;
// Escape, a pick or a click elsewhere closes it, and focus returns to the button that opened it.
import { QUICK_EMOJI } from './message-view.js';

let open = null; // { element, opener, onClose }

/** Opens the picker after `anchor`'s parent (the message's actions); `onPick(emoji)` hears the choice. */
export function openEmojiPicker(anchor, onPick) {
  const reopened = open && open.opener === anchor;
  closeEmojiPicker();
  if (reopened) return; // the same button again closes it
  const picker = document.createElement('div');
  picker.className = 'emoji-picker';
  picker.setAttribute('role', 'group');
  picker.setAttribute('aria-label', 'Pick a reaction');
  for (const emoji of QUICK_EMOJI) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'emoji quiet';
    button.dataset.emoji = emoji;
    button.textContent = emoji;
    button.addEventListener('click', () => {
      closeEmojiPicker();
      onPick(emoji);
    });
    picker.append(button);
  }
  picker.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeEmojiPicker();
    }
  });
  anchor.parentElement.after(picker);
  anchor.setAttribute('aria-expanded', 'true');
  const outside = (event) => {
    if (!picker.contains(event.target) && event.target !== anchor) closeEmojiPicker(false);
  };
  document.addEventListener('click', outside, true);
  open = { element: picker, opener: anchor, outside };
  picker.querySelector('button').focus();
}

export function closeEmojiPicker(refocus = true) {
  if (!open) return;
  const { element, opener, outside } = open;
  open = null;
  document.removeEventListener('click', outside, true);
  element.remove();
  opener.setAttribute('aria-expanded', 'false');
  if (refocus && opener.isConnected) opener.focus();
}
