// The little Markdown that Courier's postmortems use, rendered as DOM nodes (never as HTML text, so nothing a
// person wrote into an incident can become markup): headings, paragraphs, lists and task lists, fenced code,
// **bold**, _emphasis_ and `code`.

/** Renders Markdown text into a document fragment. */
export function renderMarkdown(markdown) {
  const fragment = document.createDocumentFragment();
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let list = null;
  let paragraph = null;
  const endBlocks = () => {
    list = null;
    paragraph = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      endBlocks();
      const pre = document.createElement('pre');
      const codeBlock = document.createElement('code');
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      codeBlock.textContent = body.join('\n');
      pre.append(codeBlock);
      fragment.append(pre);
      continue;
    }
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    if (heading) {
      endBlocks();
      // the page's own headings go to h3; the draft's levels sit below it
      const element = document.createElement(`h${Math.min(6, heading[1].length + 3)}`);
      element.append(...inline(heading[2]));
      fragment.append(element);
      continue;
    }
    const item = /^[-*] (\[( |x)\] )?(.*)$/.exec(line);
    if (item) {
      paragraph = null;
      if (!list) {
        list = document.createElement('ul');
        fragment.append(list);
      }
      const li = document.createElement('li');
      if (item[1]) {
        li.className = 'task';
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.disabled = true;
        box.checked = item[2] === 'x';
        box.setAttribute('aria-label', item[2] === 'x' ? 'done' : 'to do');
        li.append(box, ' ');
      }
      li.append(...inline(item[3]));
      list.append(li);
      continue;
    }
    if (!line.trim()) {
      endBlocks();
      continue;
    }
    list = null;
    if (!paragraph) {
      paragraph = document.createElement('p');
      fragment.append(paragraph);
    } else {
      paragraph.append(' ');
    }
    paragraph.append(...inline(line));
  }
  return fragment;
}

/** Bold, emphasis and code spans of one line, as nodes. */
function inline(text) {
  const nodes = [];
  const pattern = /(\*\*([^*]+)\*\*|`([^`]+)`|(^|[\s(])_([^_]+)_(?=$|[\s).,;:]))/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    let start = match.index;
    if (match[4]) {
      start += match[4].length;
    }
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    let element;
    if (match[2] !== undefined) {
      element = document.createElement('strong');
      element.textContent = match[2];
    } else if (match[3] !== undefined) {
      element = document.createElement('code');
      element.textContent = match[3];
    } else {
      element = document.createElement('em');
      element.textContent = match[5];
    }
    nodes.push(element);
    last = pattern.lastIndex;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}
