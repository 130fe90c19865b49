// @-mention completion in a textarea: typing "@" and the start of a name lists the conversation's members whose
// username or display name begins so; arrows move, Enter or Tab (or a click) puts "@username " in the text.

const MAX_SUGGESTIONS = 6;
// The "@name" being typed right before the caret, as the server would read it (see message-view.js).
const TYPING = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]*)$/;

export class MentionCompletion {
  /** `members()` gives the users one may mention now: the open conversation's, without the reader. */
  constructor(input, list, members) {
    this.input = input;
    this.list = list;
    this.members = members;
    this.matches = [];
    this.active = 0;
    this.list.setAttribute('role', 'listbox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-controls', list.id);
    const update = () => this.update();
    input.addEventListener('input', update);
    input.addEventListener('click', update);
    // Later than the click on an option, which must still find it open; not at all if the focus came back.
    input.addEventListener('blur', () => setTimeout(() => {
      if (document.activeElement !== input) this.close();
    }, 150));
  }

  get isOpen() {
    return this.matches.length > 0;
  }

  /** Handles a key of the textarea; true when it was the completion's (the page then does nothing else with it). */
  handleKey(event) {
    if (!this.isOpen) return false;
    switch (event.key) {
      case 'ArrowDown':
        this.move(1);
        break;
      case 'ArrowUp':
        this.move(-1);
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.accept(this.matches[this.active]);
        break;
      case 'Escape':
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  update() {
    const typed = this.typed();
    if (!typed) {
      this.close();
      return;
    }
    const prefix = typed.prefix.toLowerCase();
    this.matches = this.members().filter((member) => member.username.startsWith(prefix)
        || (member.displayName || '').toLowerCase().startsWith(prefix)).slice(0, MAX_SUGGESTIONS);
    this.active = 0;
    this.render();
  }

  typed() {
    const caret = this.input.selectionStart;
    if (caret !== this.input.selectionEnd) return null;
    const match = TYPING.exec(this.input.value.slice(0, caret));
    return match ? { prefix: match[2], from: caret - match[2].length - 1, to: caret } : null;
  }

  move(step) {
    this.active = (this.active + step + this.matches.length) % this.matches.length;
    this.render();
  }

  accept(member) {
    const typed = this.typed();
    if (!typed || !member) return;
    const value = this.input.value;
    const inserted = `@${member.username} `;
    this.input.value = value.slice(0, typed.from) + inserted + value.slice(typed.to);
    const caret = typed.from + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.focus();
  }

  close() {
    this.matches = [];
    this.render();
  }

  render() {
    this.list.hidden = !this.isOpen;
    this.input.setAttribute('aria-expanded', String(this.isOpen));
    this.list.replaceChildren(...this.matches.map((member, index) => {
      const option = document.createElement('li');
      option.id = `${this.list.id}-${member.id}`;
      option.className = 'mention-option';
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(index === this.active));
      option.dataset.username = member.username;
      const name = document.createElement('strong');
      name.textContent = `@${member.username}`;
      option.append(name);
      if (member.displayName && member.displayName !== member.username) option.append(` ${member.displayName}`);
      // mousedown, not click: the textarea keeps its focus and caret
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        this.accept(member);
      });
      return option;
    }));
    if (this.isOpen) {
      this.input.setAttribute('aria-activedescendant', `${this.list.id}-${this.matches[this.active].id}`);
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  }
}
