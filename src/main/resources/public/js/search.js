// Message search: the box above the conversation list, a page of results with the words found marked, more pages on
// request, and a click that opens the conversation at the message (GET /v1/search, docs/web.md).
import { describeError } from './api.js';

const RESULTS_PAGE = 20;
const $ = (id) => document.getElementById(id);

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The nodes of a result's highlight. The server sends escaped text with <mark> around the words found; this builds
 * text nodes and <mark> elements from it and nothing else, so that even a highlight that held some other markup
 * could only ever show it as text. Nothing here goes through innerHTML.
 */
export function highlightNodes(highlight) {
  const nodes = [];
  let mark = null;
  for (const part of String(highlight).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') {
      mark = document.createElement('mark');
      nodes.push(mark);
    } else if (part === '</mark>') {
      mark = null;
    } else if (part) {
      const text = document.createTextNode(part.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]));
      if (mark) {
        mark.append(text);
      } else {
        nodes.push(text);
      }
    }
  }
  return nodes;
}

/**
 * Wires the search box. `api(method, path)` makes a request as the signed-in user; `where(message)` names the
 * conversation and sender of a result; `open(conversationId, seq)` shows that message in its conversation.
 */
export function wireSearch({ api, where, open }) {
  const panel = $('search-panel');
  const results = $('search-results');
  const status = $('search-status');
  const more = $('search-more');
  let query = null;
  let next = null;
  let generation = 0; // a newer search makes the answers of older ones stale

  async function fetchPage(reset) {
    const mine = reset ? ++generation : generation;
    const cursor = reset ? '' : `&cursor=${encodeURIComponent(next)}`;
    more.hidden = true;
    status.textContent = reset ? 'Searching…' : 'Loading more…';
    try {
      const page = await api('GET', `/v1/search?q=${encodeURIComponent(query)}&limit=${RESULTS_PAGE}${cursor}`);
      if (mine !== generation) return;
      if (reset) results.replaceChildren();
      page.results.forEach((result) => results.append(resultItem(result)));
      next = page.next;
      more.hidden = !next;
      const shown = results.children.length;
      status.textContent = shown === 0 ? 'No messages found.'
          : `${shown}${next ? '+' : ''} message${shown === 1 && !next ? '' : 's'} found, newest first.`;
    } catch (error) {
      if (mine !== generation) return;
      status.textContent = describeError(error);
      more.hidden = !next || reset;
    }
  }

  function resultItem(result) {
    const { message } = result;
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'search-result';
    button.dataset.conversationId = String(message.conversationId);
    button.dataset.seq = String(message.seq);
    const heading = document.createElement('span');
    heading.className = 'search-where';
    const time = document.createElement('time');
    time.dateTime = message.createdAt;
    time.textContent = new Date(message.createdAt).toLocaleString();
    heading.append(`${where(message)} · `, time);
    const excerpt = document.createElement('span');
    excerpt.className = 'search-highlight';
    excerpt.append(...highlightNodes(result.highlight));
    button.append(heading, excerpt);
    button.addEventListener('click', () => open(message.conversationId, message.seq));
    item.append(button);
    return item;
  }

  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = $('search-input').value.trim();
    if (!q) {
      $('search-input').focus();
      return;
    }
    query = q;
    next = null;
    panel.hidden = false;
    fetchPage(true);
  });
  more.addEventListener('click', () => fetchPage(false));
  $('search-close').addEventListener('click', () => closeSearch());

  function closeSearch() {
    generation += 1;
    panel.hidden = true;
    results.replaceChildren();
    status.textContent = '';
    query = null;
    next = null;
    $('search-input').value = '';
  }
  return { close: closeSearch };
}
