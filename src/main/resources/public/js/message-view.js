// How one message looks: who sent it and when, "edited", the message it answers, its body with the members it
// mentions, its reactions and what the reader may do with it. Text is always set as text, never parsed as HTML.

/** The emoji the picker offers: the common ones, one tap each. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];

const EXCERPT_LENGTH = 80;

// A name as the server reads it: an @ not inside a word, then the characters a username may hold (message_mentions).
const MENTION = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]+)/g;

/** An empty message element; fillMessage (or fillPending, while it is being sent) gives it its content. */
export function messageElement(mine) {
  const element = document.createElement('li');
  element.className = mine ? 'message mine' : 'message';
  const meta = document.createElement('p');
  meta.className = 'meta';
  const sender = document.createElement('span');
  sender.className = 'sender';
  const time = document.createElement('time');
  const edited = document.createElement('span');
  edited.className = 'edited';
  edited.textContent = 'edited';
  edited.hidden = true;
  meta.append(sender, ' ', time, ' ', edited);
  const quote = document.createElement('blockquote');
  quote.className = 'quote';
  quote.hidden = true;
  const text = document.createElement('p');
  text.className = 'body';
  const attachments = document.createElement('ul');
  attachments.className = 'attachments';
  attachments.setAttribute('aria-label', 'Files');
  attachments.hidden = true;
  const reactions = document.createElement('ul');
  reactions.className = 'reactions';
  reactions.setAttribute('aria-label', 'Reactions');
  const actions = document.createElement('div');
  actions.className = 'actions';
  const delivery = document.createElement('p');
  delivery.className = 'delivery';
  element.append(meta, quote, text, attachments, reactions, actions, delivery);
  return element;
}

/** A message still being sent: its text, its files and the message it answers. */
export function fillPending(element, { senderName, body, quoted, attachments, fillAttachments }) {
  element.querySelector('.sender').textContent = senderName;
  element.querySelector('.body').textContent = body;
  fillQuote(element.querySelector('.quote'), quoted);
  fillAttachments(element.querySelector('.attachments'), attachments);
}

/**
 * Shows `message` as it is now. `view` says who reads and what they may do: { me, nameOf(userId),
 * usernameOf(userId), quoted: {senderName, body, deleted} | null, canEdit, canDelete, onReply(button),
 * onReact(button), onToggleReaction(emoji, mine), onEdit(button), onDelete(button), fillAttachments(list,
 * attachments) }.
 */
export function fillMessage(element, message, view) {
  const deleted = message.deletedAt !== null && message.deletedAt !== undefined;
  element.classList.toggle('deleted', deleted);
  element.dataset.changeSeq = String(message.changeSeq || 0);
  element.querySelector('.sender').textContent = view.nameOf(message.senderId);
  const time = element.querySelector('time');
  time.dateTime = message.createdAt;
  time.textContent = new Date(message.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  time.title = new Date(message.createdAt).toLocaleString();
  const edited = element.querySelector('.edited');
  edited.hidden = deleted || !message.editedAt;
  if (message.editedAt) edited.title = `Edited ${new Date(message.editedAt).toLocaleString()}`;
  fillQuote(element.querySelector('.quote'), message.replyTo ? view.quoted : null);
  const body = element.querySelector('.body');
  if (deleted) {
    body.textContent = 'Message deleted';
  } else {
    body.replaceChildren(...withMentions(message.body, message.mentions || [], view));
  }
  view.fillAttachments(element.querySelector('.attachments'), deleted ? [] : message.attachments || []);
  fillReactions(element.querySelector('.reactions'), deleted ? [] : message.reactions || [], view);
  fillActions(element.querySelector('.actions'), deleted, view);
}

function fillQuote(quote, quoted) {
  if (!quoted) {
    quote.hidden = true;
    quote.replaceChildren();
    return;
  }
  const who = document.createElement('span');
  who.className = 'quote-sender';
  who.textContent = quoted.senderName;
  const what = document.createElement('span');
  what.className = 'quote-body';
  what.textContent = quoted.deleted ? 'Message deleted' : excerpt(quoted.body);
  quote.replaceChildren(who, ' ', what);
  quote.hidden = false;
}

/** A short, single-line version of a body, for quotes and the reply banner. */
export function excerpt(body) {
  const line = String(body || '').replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_LENGTH ? `${line.slice(0, EXCERPT_LENGTH - 1)}…` : line;
}

/** The body as text nodes, with each @name the server counted as a mention set apart. */
function withMentions(body, mentions, view) {
  if (!mentions.length) return [document.createTextNode(body)];
  const mentioned = new Map(mentions.map((id) => [view.usernameOf(id), id]));
  const parts = [];
  let from = 0;
  for (const match of body.matchAll(MENTION)) {
    const written = match[2];
    // "@bob." names bob when there is no user called "bob.": a sentence may end there
    const name = mentioned.has(written.toLowerCase()) ? written : written.replace(/[.-]+$/, '');
    const id = mentioned.get(name.toLowerCase());
    if (id === undefined) continue;
    const at = match.index + match[1].length;
    parts.push(document.createTextNode(body.slice(from, at)));
    const span = document.createElement('span');
    span.className = id === view.me ? 'mention mention-me' : 'mention';
    span.textContent = body.slice(at, at + name.length + 1);
    parts.push(span);
    from = at + name.length + 1;
  }
  parts.push(document.createTextNode(body.slice(from)));
  return parts;
}

function fillReactions(list, reactions, view) {
  list.replaceChildren(...reactions.map((reaction) => {
    const mine = reaction.userIds.includes(view.me);
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'reaction quiet';
    button.dataset.emoji = reaction.emoji;
    button.setAttribute('aria-pressed', String(mine));
    button.title = reaction.userIds.map(view.nameOf).join(', ');
    const emoji = document.createElement('span');
    emoji.className = 'reaction-emoji';
    emoji.textContent = reaction.emoji;
    const count = document.createElement('span');
    count.className = 'reaction-count';
    count.textContent = String(reaction.userIds.length);
    button.append(emoji, ' ', count);
    button.addEventListener('click', () => view.onToggleReaction(reaction.emoji, mine));
    item.append(button);
    return item;
  }));
  list.hidden = reactions.length === 0;
}

function fillActions(actions, deleted, view) {
  const buttons = [];
  const action = (name, label, handler) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `action quiet ${name}`;
    button.textContent = label;
    button.addEventListener('click', (event) => handler(event.currentTarget));
    buttons.push(button);
  };
  if (!deleted) {
    action('reply', 'Reply', view.onReply);
    action('react', 'React', view.onReact);
    if (view.canEdit) action('edit', 'Edit', view.onEdit);
    if (view.canDelete) action('delete', 'Delete', view.onDelete);
  }
  actions.replaceChildren(...buttons);
}
