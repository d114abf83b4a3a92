/*
 * Herald rich-text editor: progressive enhancement of <textarea data-editor>
 * inside form#article-form. Without this script the textarea still works.
 *
 * Labels come from <script type="application/json" id="editor-labels">; a
 * missing key shows the key itself. Keys ({…} are filled in by the script):
 *   paragraph heading2 heading3 heading4 bold italic underline bulletList
 *   numberedList quote link linkPrompt unlink table tableRows tableCols image
 *   imageAlt uploading uploadFailed undo redo clearFormat toolbar editorLabel
 *   saved({time}) saving offline restored({time}) conflict
 *   pasteImageDropped({n}) setCover source
 *
 * window.HeraldEditor = { cleanPastedHTML, textToHTML, safeHref, editor, autosave }
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- labels

  let labels = {};

  function loadLabels() {
    const node = document.getElementById('editor-labels');
    try { labels = (node && JSON.parse(node.textContent)) || {}; } catch (e) { labels = {}; }
  }

  function t(key, vars) {
    const s = typeof labels[key] === 'string' && labels[key] ? labels[key] : key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
  }

  // --------------------------------------------------------------- cleaner
  //
  // The cleaner never copies pasted markup: it builds new nodes from a short
  // list of elements and attributes, so whatever it returns is safe to insert.

  const outDoc = document.implementation.createHTMLDocument('');
  const SPACE = /^[\s\u3000\u200b\ufeff]*$/; // \s already covers &nbsp;
  const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;
  const HEADINGS = { h1: 'h2', h2: 'h2', h3: 'h3', h4: 'h4', h5: 'h4', h6: 'h4' };
  const TAG_MARK = { b: 'strong', strong: 'strong', i: 'em', em: 'em', u: 'u' };
  const DROP = new Set(['script', 'style', 'meta', 'link', 'xml', 'title', 'head', 'template', 'iframe', 'frame',
    'object', 'embed', 'noscript', 'svg', 'math', 'canvas', 'video', 'audio', 'input', 'button', 'select',
    'textarea', 'option', 'hr', 'map', 'base', 'del']); // <del> is a deletion tracked in Word
  const CONTAINERS = new Set(['div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'body',
    'html', 'center', 'form', 'fieldset', 'address', 'dl', 'dt', 'dd', 'details', 'summary', 'legend', 'hgroup',
    'figcaption', 'caption']);
  const BLOCKS = 'p,div,h1,h2,h3,h4,h5,h6,ul,ol,li,table,tr,td,th,blockquote,section,article,figure,figcaption,pre,dl,dt,dd,header,footer,main,aside,nav,address,center,hgroup';
  const BLOCK_TAGS = new Set(BLOCKS.split(','));
  // Word list markers. Symbol and Wingdings bullets arrive as private-use
  // characters or as the letters those fonts draw as bullets (l n q u v ü Ø §).
  const BULLET = /^[\u00b7\u2022\u2023\u2043\u25a0-\u25ff\u2605\u2606\u2713\u2714\u27a2\uf000-\uf0ffo§ØüŸlnquv√*\-–—]$/;
  const NUMBER = /^(?:[(（]?(?:\d{1,3}|[一二三四五六七八九十百]{1,4})[)）.．、]?|[(（]?(?:[a-zA-Z]|[ivxlcIVXLC]{1,6})[)）.．、]|[\u2460-\u249b\u3251-\u325f])$/;
  const LEADING_MARKER = /^[\s\u3000]*(?:([\u00b7\u2022\u25a0-\u25ff\uf000-\uf0ff§ØüŸlnquvo\-–—*])[\s\u3000]+|([(（](?:\d{1,3}|[一二三四五六七八九十百]{1,4})[)）]|(?:\d{1,3}|[一二三四五六七八九十百]{1,4}|[a-zA-Z])[.．、)）](?!\d)|[\u2460-\u249b])[\s\u3000]*)/;

  function make(tag, attrs, doc) {
    const node = (doc || outDoc).createElement(tag);
    for (const k in attrs || {}) node.setAttribute(k, attrs[k]);
    return node;
  }

  function append(parent, child) {
    parent.appendChild(child);
    return child;
  }

  function styleOf(node) {
    const out = {};
    for (const decl of (node.getAttribute('data-style') || '').split(';')) {
      const i = decl.indexOf(':');
      if (i > 0) out[decl.slice(0, i).trim().toLowerCase()] = decl.slice(i + 1).trim().toLowerCase();
    }
    return out;
  }

  function isDropped(node, tag, st) {
    if (DROP.has(tag) || /^(v|xml):/.test(tag) || tag === 'w:bindata' || node.hasAttribute('hidden')) return true;
    if (st.display === 'none' || st['mso-hide'] === 'all' || st.visibility === 'hidden') return true;
    // Word comments and their reference marks are not part of the text.
    return /^comment/.test(st['mso-element'] || '') || /^MsoComment/i.test(node.getAttribute('class') || '');
  }

  function safeHref(raw) {
    if (raw == null) return null;
    const href = String(raw).trim().replace(/[\t\n\r]/g, '');
    if (/^\/(?![/\\])/.test(href)) return href;
    if (!/^(https?:\/\/|mailto:)/i.test(href)) return null;
    try { return new URL(href) && href; } catch (e) { return null; }
  }

  function cleanAlt(alt) {
    alt = (alt || '').replace(/^(说明|描述|description)\s*[:：]\s*/i, '').trim();
    if (/^(图片|图像|image|picture)\s*\d*$/i.test(alt) || /[\\/]|\.(png|jpe?g|gif|bmp|emf|wmf|webp)$/i.test(alt)) return '';
    return alt.slice(0, 300);
  }

  function convertImage(node) {
    const src = (node.getAttribute('src') || '').trim();
    const width = node.getAttribute('width') || '', height = node.getAttribute('height') || '';
    if (!src || /^(javascript|vbscript):/i.test(src) || /^[0-2]$/.test(width) || /^[0-2]$/.test(height)) return null; // tracking pixels
    const img = make('img', { src, alt: cleanAlt(node.getAttribute('alt')) });
    if (/^\d{1,5}$/.test(width)) img.setAttribute('width', width);
    if (/^\d{1,5}$/.test(height)) img.setAttribute('height', height);
    return img;
  }

  function alignOf(node) {
    const align = (styleOf(node)['text-align'] || node.getAttribute('align') || '').toLowerCase();
    return align === 'center' || align === 'right' ? align : '';
  }

  // setAlign keeps centred and right-aligned text (titles, signatures, dates);
  // Word aligns a table cell through the paragraphs inside it.
  function setAlign(out, src) {
    let align = alignOf(src);
    if (!align && (src.localName === 'td' || src.localName === 'th')) {
      const paras = Array.from(src.querySelectorAll('p,div')).filter((p) => !SPACE.test(p.textContent));
      align = paras.length && paras.every((p) => alignOf(p) === alignOf(paras[0])) ? alignOf(paras[0]) : '';
    }
    if (align) out.style.textAlign = align;
  }

  function wantedMarks(tag, st) {
    const marks = new Set(TAG_MARK[tag] ? [TAG_MARK[tag]] : []);
    const weight = st['font-weight'] || '', deco = (st['text-decoration'] || '') + (st['text-decoration-line'] || '');
    if (/bold|[6-9]00/.test(weight)) marks.add('strong');
    else if (/normal|lighter|[1-5]00/.test(weight)) marks.delete('strong'); // Google Docs' <b style="font-weight:normal">
    if (/italic|oblique/.test(st['font-style'] || '')) marks.add('em');
    else if (st['font-style'] === 'normal') marks.delete('em');
    if (/underline/.test(deco) || (st['text-underline'] && st['text-underline'] !== 'none')) marks.add('u');
    return marks;
  }

  function convertText(node, out) {
    const s = node.data.replace(/[\u200b\ufeff]/g, '').replace(/[ \t\r\n\f]+/g, (m) => (/[\r\n]/.test(m) ? '\n' : ' '));
    if (s) out.appendChild(outDoc.createTextNode(s));
  }

  function lineBreak(out) {
    while (out.lastChild && out.lastChild.nodeType === 3 && SPACE.test(out.lastChild.data)) out.lastChild.remove();
    if (out.lastChild && out.lastChild.nodeName !== 'BR') out.appendChild(make('br'));
  }

  function walkPhrasing(src, out, marks) {
    for (const child of Array.from(src.childNodes)) convertInline(child, out, marks);
  }

  // convertInline copies phrasing content; `marks` tells which of strong/em/u
  // are already open, and `nest` whether lists and tables may nest here (li, td).
  function convertInline(node, out, marks) {
    if (node.nodeType === 3) return convertText(node, out);
    const tag = node.localName, st = node.nodeType === 1 ? styleOf(node) : null;
    if (!st || isDropped(node, tag, st)) return;
    if (tag === 'br') return void out.appendChild(make('br'));
    const img = tag === 'img' && convertImage(node);
    if (tag === 'img') return void (img && out.appendChild(img));
    if (marks.nest && /^(ul|ol|table)$/.test(tag)) {
      if (out.lastChild && out.lastChild.nodeName === 'BR') out.lastChild.remove();
      return void (tag === 'table' ? convertTable(node, out) : out.appendChild(convertList(node)));
    }
    if (BLOCK_TAGS.has(tag)) { // blocks inside phrasing content become lines
      lineBreak(out);
      walkPhrasing(node, out, marks);
      return void lineBreak(out);
    }
    let target = out;
    const next = Object.assign({}, marks), href = tag === 'a' && !marks.link && safeHref(node.getAttribute('href'));
    if (href) {
      target = append(target, make('a', { href }));
      next.link = true;
    } else if (tag === 'sub' || tag === 'sup') target = append(target, make(tag));
    for (const mark of wantedMarks(tag, st)) { if (!next[mark]) target = append(target, make(mark)); next[mark] = true; }
    walkPhrasing(node, target, next);
  }

  function listMarkerSpan(node) {
    return Array.from(node.querySelectorAll('span')).find((s) => /ignore/i.test(styleOf(s)['mso-list'] || ''));
  }

  // fakeListItem recognises Word's and WPS's list paragraphs, which carry the
  // bullet or number as text, and removes that marker.
  function fakeListItem(node, st) {
    const msoList = st['mso-list'] || '';
    if (!/MsoListParagraph/i.test(node.getAttribute('class') || '') && !(msoList && !/ignore/i.test(msoList))) return null;
    let marker;
    const ignore = listMarkerSpan(node);
    if (ignore) {
      marker = ignore.textContent;
      ignore.remove();
    } else {
      const walker = node.ownerDocument.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      let text;
      while ((text = walker.nextNode()) && SPACE.test(text.data));
      const m = text && LEADING_MARKER.exec(text.data);
      if (!m) return null; // an indented paragraph in list style, not an item
      marker = m[1] || m[2];
      text.data = text.data.slice(m[0].length);
    }
    const mark = marker.replace(/[\s\u3000]+/g, '');
    return {
      type: mark && !BULLET.test(mark) && NUMBER.test(mark) ? 'ol' : 'ul',
      level: Number((/level(\d+)/i.exec(msoList) || [])[1] || 1),
      id: (/\b(l\d+)\b/i.exec(msoList) || [])[1] || '',
    };
  }

  // addListItem nests consecutive list paragraphs by their Word level.
  function addListItem(stack, item, node, out) {
    while (stack.length && stack[stack.length - 1].level > item.level) stack.pop();
    let top = stack[stack.length - 1];
    if (top && top.level === item.level && (top.type !== item.type || top.id !== item.id)) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top || top.level < item.level) {
      const list = make(item.type);
      append(top ? top.li || append(top.list, make('li')) : out, list);
      stack.push(top = { level: item.level, type: item.type, id: item.id, list, li: null });
    }
    top.li = append(top.list, make('li'));
    walkPhrasing(node, top.li, { nest: true });
  }

  function convertList(src) {
    const list = make(src.localName === 'ol' ? 'ol' : 'ul');
    for (const child of Array.from(src.childNodes)) {
      if (child.localName === 'li') walkPhrasing(child, append(list, make('li')), { nest: true });
      else if (child.nodeType === 1 || (child.nodeType === 3 && !SPACE.test(child.data))) {
        convertInline(child, list.lastChild || append(list, make('li')), { nest: true }); // e.g. <ul><ul>…
      }
    }
    return list;
  }

  function convertTable(src, out) {
    // Word adds a hidden row of empty cells (height=0) to align columns.
    const rows = Array.from(src.rows).filter((r) => !isDropped(r, 'tr', styleOf(r)) &&
      !(r.getAttribute('height') === '0' && SPACE.test(r.textContent) && !r.querySelector('img')));
    const cells = rows.reduce((n, r) => n + r.cells.length, 0);
    if (cells === 0) return;
    if (cells === 1) return void walkFlow(rows[0].cells[0], out); // a layout table around content
    if (src.caption && !SPACE.test(src.caption.textContent)) walkPhrasing(src.caption, append(out, make('p')), {});
    const table = append(out, make('table'));
    let thead = null, tbody = null;
    for (const row of rows) {
      const head = row.parentNode.localName === 'thead';
      const section = head ? (thead = thead || table.insertBefore(make('thead'), table.firstChild)) : (tbody = tbody || append(table, make('tbody')));
      const tr = append(section, make('tr'));
      for (const cell of Array.from(row.cells)) {
        const c = append(tr, make(cell.localName === 'th' ? 'th' : 'td'));
        for (const name of ['colspan', 'rowspan']) {
          const v = (cell.getAttribute(name) || '').trim();
          if (/^\d{1,3}$/.test(v) && Number(v) > 1) c.setAttribute(name, String(Number(v)));
        }
        setAlign(c, cell);
        walkPhrasing(cell, c, { nest: true, strong: c.localName === 'th' });
      }
    }
  }

  function convertFigure(src, out) {
    const caption = src.querySelector('figcaption');
    const rest = src.textContent.replace(caption ? caption.textContent : '', '');
    if (!src.querySelector('img') || !SPACE.test(rest)) return void walkFlow(src, out);
    const figure = make('figure');
    for (const node of Array.from(src.querySelectorAll('img'))) {
      const img = convertImage(node);
      if (img) figure.appendChild(img);
    }
    if (caption) walkPhrasing(caption, append(figure, make('figcaption')), {});
    if (figure.querySelector('img')) out.appendChild(figure);
  }

  function convertTextBlock(src, tag, out) {
    const heading = HEADINGS[tag], marker = listMarkerSpan(src);
    if (marker) { // a numbered heading keeps its number
      const text = marker.textContent.replace(/[\s\u3000]+/g, '');
      marker.replaceWith(src.ownerDocument.createTextNode(text + (CJK.test(text.slice(-1)) ? '' : ' ')));
    }
    const block = append(out, make(heading || 'p'));
    setAlign(block, src);
    walkPhrasing(src, block, heading ? { strong: true } : {});
  }

  // walkFlow copies block content: runs of inline content become paragraphs,
  // so web pages' <div> soup turns into <p>.
  function walkFlow(src, out) {
    let para = null, lists = [];
    const paragraph = () => para || (para = append(out, make('p')));
    for (const node of Array.from(src.childNodes)) {
      if (node.nodeType === 3) {
        if (para || !SPACE.test(node.data)) { lists = []; convertText(node, paragraph()); }
        continue;
      }
      if (node.nodeType !== 1) continue;
      const tag = node.localName, st = styleOf(node);
      if (isDropped(node, tag, st)) continue;
      const item = tag === 'p' && fakeListItem(node, st);
      if (item) {
        para = null;
        addListItem(lists, item, node, out);
        continue;
      }
      lists = [];
      if (tag === 'br' && !para) continue;
      if (tag === 'p' || HEADINGS[tag]) convertTextBlock(node, tag, out);
      else if (tag === 'ul' || tag === 'ol') out.appendChild(convertList(node));
      else if (tag === 'li') out.appendChild(convertList({ localName: 'ul', childNodes: [node] }));
      else if (tag === 'table') convertTable(node, out);
      else if (tag === 'blockquote') walkFlow(node, append(out, make('blockquote')));
      else if (tag === 'figure') convertFigure(node, out);
      else if (tag === 'pre') {
        for (const line of node.textContent.split(/\r?\n/)) if (!SPACE.test(line)) append(out, make('p')).textContent = line.trim();
      } else if (CONTAINERS.has(tag) || node.querySelector(BLOCKS)) walkFlow(node, out);
      else {
        convertInline(node, paragraph(), {});
        continue;
      }
      para = null;
    }
  }

  // Word breaks long lines in its HTML; between Chinese characters that
  // newline must vanish rather than become a space.
  function resolveNewlines(root) {
    const texts = [], walker = outDoc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode);
    const edge = (i, last) => (texts[i] ? texts[i].data[last ? texts[i].data.length - 1 : 0] || '' : '');
    texts.forEach((node, i) => {
      if (node.data.indexOf('\n') < 0) return;
      node.data = node.data.replace(/\n/g, (m, at, s) => {
        const before = at > 0 ? s[at - 1] : edge(i - 1, true), after = at + 1 < s.length ? s[at + 1] : edge(i + 1, false);
        return CJK.test(before) && CJK.test(after) ? '' : ' ';
      });
    });
  }

  function edgeLeaf(block, first) {
    let n = first ? block.firstChild : block.lastChild;
    while (n && n.nodeType === 1 && n.firstChild && !/^(BR|IMG|UL|OL|TABLE)$/.test(n.nodeName)) n = first ? n.firstChild : n.lastChild;
    return n;
  }

  // trimEdges drops leading and trailing spaces and line breaks: pages indent
  // paragraphs by style, so Word's full-width-space indents must go.
  function trimEdges(block) {
    for (const first of [true, false]) {
      for (let n = edgeLeaf(block, first); n && n !== block; n = edgeLeaf(block, first)) {
        if (n.nodeType === 3) {
          const s = first ? n.data.replace(/^[\s\u3000]+/, '') : n.data.replace(/[\s\u3000]+$/, '');
          if (s) { n.data = s; break; }
        } else if (n.nodeName !== 'BR' && (n.firstChild || /^(IMG|UL|OL|TABLE)$/.test(n.nodeName))) break;
        n.remove();
      }
    }
  }

  function hasContent(node) {
    return !SPACE.test(node.textContent) || !!(node.querySelector && node.querySelector('img,table'));
  }

  function unwrap(node) {
    while (node.firstChild) node.parentNode.insertBefore(node.firstChild, node);
    node.remove();
  }

  function isEmpty(n) {
    if (n.nodeName === 'UL' || n.nodeName === 'OL') return !n.querySelector('li');
    if (n.nodeName === 'TABLE') return !n.querySelector('td,th');
    return n.nodeName === 'FIGURE' ? !n.querySelector('img') : !hasContent(n);
  }

  function tidy(root) {
    resolveNewlines(root);
    root.querySelectorAll('p,h2,h3,h4,li,td,th,figcaption').forEach(trimEdges);
    Array.from(root.querySelectorAll('strong,em,u,a,sub,sup')).reverse().forEach((n) => {
      if (!n.querySelector('img') && SPACE.test(n.textContent)) unwrap(n);
    });
    for (const n of Array.from(root.querySelectorAll('strong,em,u,sub,sup,a'))) { // Word splits runs: join them again
      for (let next = n.nextSibling; n.isConnected && next && next.nodeName === n.nodeName && next.getAttribute('href') === n.getAttribute('href'); next = n.nextSibling) {
        while (next.firstChild) n.appendChild(next.firstChild);
        next.remove();
      }
    }
    Array.from(root.querySelectorAll('p,h2,h3,h4,li,ul,ol,blockquote,figure,figcaption,table')).reverse().forEach((n) => isEmpty(n) && n.remove());
    for (const p of Array.from(root.querySelectorAll('p'))) { // a paragraph holding only images is a figure
      const parts = Array.from(p.childNodes).filter((c) => c.nodeName !== 'BR' && !(c.nodeType === 3 && SPACE.test(c.data)));
      if (!parts.length || parts.some((c) => c.nodeName !== 'IMG') || !/^(DIV|BLOCKQUOTE)$/.test(p.parentNode.nodeName)) continue;
      parts.forEach((img) => p.parentNode.insertBefore(make('figure'), p).appendChild(img));
      p.remove();
    }
    root.normalize();
  }

  // Parsed style and event-handler attributes make a strict CSP report each
  // one; renamed, they are only read (styleOf) or dropped. Alignment, the one
  // style kept, is then set through the CSSOM, which CSP allows.
  function hideStyles(html) {
    return String(html || '').replace(/<style[\s>][\s\S]*?<\/style>/gi, '')
      .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, '$1data-$2$3'));
  }

  function restyle(root) {
    root.querySelectorAll('[data-style]').forEach((el) => {
      const align = styleOf(el)['text-align'];
      el.removeAttribute('data-style');
      if (align === 'center' || align === 'right') el.style.textAlign = align;
    });
  }

  function cleanPastedHTML(html) {
    const src = new DOMParser().parseFromString(hideStyles(html), 'text/html');
    const root = make('div');
    walkFlow(src.body, root);
    tidy(root);
    return root.innerHTML;
  }

  function textToHTML(text) {
    const root = make('div');
    for (const line of String(text || '').split(/\r\n|\r|\n/)) {
      const s = line.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
      if (s) append(root, make('p')).textContent = s;
    }
    return root.innerHTML;
  }

  // ------------------------------------------------------------- uploading

  const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

  async function problemMessage(res) {
    try {
      const p = await res.json();
      return (p.errors && p.errors[0] && p.errors[0].message) || p.detail || p.title || res.statusText;
    } catch (e) { return res.statusText || String(res.status); }
  }

  async function uploadImage(url, csrf, blob, name) {
    const body = new FormData();
    body.append('csrf', csrf);
    body.append('file', blob, name);
    let res;
    try {
      res = await fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    } catch (e) { throw new Error(t('offline')); }
    if (!res.ok) throw new Error(await problemMessage(res));
    const reply = await res.json();
    if (!reply || !reply.url) throw new Error(t('uploadFailed'));
    return reply;
  }

  // Decoded by hand: fetch('data:…') would need connect-src data: in the CSP.
  function dataURLToBlob(url) {
    const m = /^data:([^;,]*)((?:;[^;,]*)*),([\s\S]*)$/.exec(url);
    const raw = /;base64/i.test(m[2]) ? atob(m[3].replace(/\s+/g, '')) : decodeURIComponent(m[3]);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Blob([bytes], { type: m[1] || 'application/octet-stream' });
  }

  async function blobFrom(source) {
    if (source.file) return source.file;
    if (source.dataURL) return dataURLToBlob(source.dataURL);
    // Another site's image: only works where it allows CORS.
    const res = await fetch(source.url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (!res.ok) throw new Error(res.statusText);
    return res.blob();
  }

  function fileName(blob, n) {
    return blob.name || 'pasted-' + n + '.' + ({ 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' }[blob.type] || 'jpg');
  }

  function imageFiles(dt) {
    let files = Array.from(dt.files || []);
    if (!files.length && dt.items) files = Array.from(dt.items).filter((i) => i.kind === 'file').map((i) => i.getAsFile());
    return files.filter((f) => f && IMAGE_TYPES.indexOf(f.type) >= 0);
  }

  // ---------------------------------------------------------------- history
  //
  // Our own snapshots, because paste and uploads change the DOM directly and
  // the browser's undo stack cannot follow those changes.

  function createHistory(area, onRestore) {
    const stack = [];
    let index = -1, timer = 0;

    function caret() {
      const sel = window.getSelection();
      const r = sel.rangeCount && sel.getRangeAt(0);
      if (!r || !area.contains(r.startContainer)) return null;
      const path = [];
      for (let n = r.startContainer; n !== area; n = n.parentNode) path.unshift(Array.prototype.indexOf.call(n.parentNode.childNodes, n));
      return { path, offset: r.startOffset };
    }

    function placeCaret(c) {
      let node = area;
      for (const i of (c && c.path) || []) node = node && node.childNodes[i];
      const range = document.createRange();
      if (node && c) range.setStart(node, Math.min(c.offset, node.nodeType === 3 ? node.length : node.childNodes.length));
      else range.setStart(area, area.childNodes.length);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }

    function record() {
      clearTimeout(timer);
      const state = { html: area.innerHTML, caret: caret() };
      if (index >= 0 && stack[index].html === state.html) return void (stack[index].caret = state.caret);
      stack.splice(index + 1, stack.length, state);
      if (stack.length > 100) stack.shift();
      index = stack.length - 1;
    }

    function go(step) {
      record();
      if (index + step < 0 || index + step >= stack.length) return;
      index += step;
      area.textContent = '';
      area.appendChild(htmlToFragment(stack[index].html));
      area.focus({ preventScroll: true });
      placeCaret(stack[index].caret);
      onRestore();
      stack[index].html = area.innerHTML; // onRestore may drop placeholders of finished uploads
    }

    return {
      record,
      recordSoon() {
        clearTimeout(timer);
        timer = setTimeout(record, 800);
      },
      undo: () => go(-1),
      redo: () => go(1),
    };
  }

  // ----------------------------------------------------------------- editor

  const BUTTONS = [ // name, is a toggle, glyph, shortcut
    ['paragraph', 1], ['heading2', 1], ['heading3', 1], ['heading4', 1], null,
    ['bold', 1, 'B', 'B'], ['italic', 1, 'I', 'I'], ['underline', 1, 'U', 'U'], null,
    ['bulletList', 1], ['numberedList', 1], ['quote', 1], null,
    ['link'], ['unlink'], ['image'], ['table'], null,
    ['undo', 0, '', 'Z'], ['redo', 0, '', 'Y'], ['clearFormat'], null,
    ['source', 1],
  ];

  function closestIn(area, node, selector) {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    const found = el && el.closest(selector);
    return found && area.contains(found) && found !== area ? found : null;
  }

  function topBlock(area, node) {
    while (node && node.parentNode !== area) node = node.parentNode;
    return node;
  }

  // htmlToFragment parses into an inert template; prepare() may change the
  // nodes before they join the page, where images would start loading.
  function htmlToFragment(html, prepare) {
    const tpl = document.createElement('template');
    tpl.innerHTML = hideStyles(html);
    restyle(tpl.content);
    if (prepare) prepare(tpl.content);
    return document.importNode(tpl.content, true);
  }

  function parseCount(answer, min, max) { // Chinese input methods often type full-width digits
    const n = parseInt(String(answer || '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)), 10);
    return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : null;
  }

  function setSelection(range) {
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function createEditor(textarea) {
    const form = textarea.form, uploadURL = form && form.dataset.uploadUrl;
    const cover = document.getElementById('cover_image');
    const label = textarea.id && document.querySelector('label[for="' + CSS.escape(textarea.id) + '"]');
    const buttons = {}, pending = new Set(), api = { onChange() {} };
    let sourceMode = false, savedRange = null, uploadSeq = 0, toolImage = null, internalDrag = false, flushTimer = 0;

    const wrap = make('div', { class: 'herald-editor' }, document);
    const toolbar = append(wrap, make('div', { class: 'herald-toolbar', role: 'toolbar', 'aria-label': t('toolbar') }, document));
    const alertBox = append(wrap, make('div', { class: 'herald-alert', role: 'alert' }, document));
    const area = append(wrap, make('div', {
      class: 'herald-area', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true', spellcheck: 'false',
      'aria-label': (label && label.textContent.trim()) || t('editorLabel'), id: (textarea.id || 'body') + '-editor',
    }, document));
    const tools = append(wrap, make('div', { class: 'herald-image-tools', hidden: '' }, document));
    const coverButton = append(tools, make('button', { type: 'button', 'aria-pressed': 'false' }, document));
    const picker = make('input', { type: 'file', accept: IMAGE_TYPES.join(','), multiple: '', hidden: '', tabindex: '-1' }, document);
    coverButton.textContent = t('setCover');
    textarea.before(wrap);
    wrap.append(textarea, picker);
    textarea.hidden = true;
    textarea.classList.add('herald-source');

    for (const spec of BUTTONS) {
      if (!spec) {
        append(toolbar, make('span', { class: 'herald-sep', 'aria-hidden': 'true' }, document));
        continue;
      }
      const [name, toggle, glyph, key] = spec;
      if (name === 'image' && !uploadURL) continue;
      const b = buttons[name] = append(toolbar, make('button', { type: 'button', tabindex: '-1', 'data-cmd': name, 'aria-label': t(name), title: t(name) }, document));
      b.textContent = glyph || t(name);
      if (glyph) b.classList.add('herald-glyph', 'herald-' + name);
      if (toggle) b.setAttribute('aria-pressed', 'false');
      if (key) b.setAttribute('aria-keyshortcuts', 'Control+' + key + ' Meta+' + key);
    }
    toolbar.querySelector('button').tabIndex = 0;

    const history = createHistory(area, () => {
      area.querySelectorAll('.herald-uploading').forEach((ph) => pending.has(Number(ph.dataset.upload)) || removePlaceholder(ph));
      afterChange(false);
    });

    // ---- content in and out

    function serialize() {
      const clone = area.cloneNode(true);
      clone.querySelectorAll('.herald-uploading').forEach((n) => n.remove());
      return cleanPastedHTML(clone.innerHTML);
    }

    function sync() {
      if (!sourceMode) textarea.value = serialize();
    }

    function setHTML(html) {
      area.textContent = '';
      area.appendChild(htmlToFragment(cleanPastedHTML(html) || '<p><br></p>'));
      refreshCover();
    }

    // Serializing a long article takes a few tens of milliseconds, too much
    // for every key: typing is flushed at most every 400 ms, and at once
    // before anything reads the form (submit, autosave, leaving the page).
    function flush() {
      clearTimeout(flushTimer);
      flushTimer = 0;
      sync();
      api.onChange();
    }

    function afterChange(record, soon) {
      if (record) history.record();
      refreshCover();
      updateToolbar();
      if (!soon) flush();
      else if (!flushTimer) flushTimer = setTimeout(flush, 400);
    }

    function showAlert(message) {
      alertBox.textContent = message || '';
    }

    // ---- selection

    function editingRange() { // the selection in the editor, restored if focus went to the toolbar
      const sel = window.getSelection(), focused = document.activeElement === area;
      if (!focused) area.focus({ preventScroll: true });
      if (!focused || !sel.rangeCount || !area.contains(sel.getRangeAt(0).commonAncestorContainer)) {
        let range = savedRange && area.contains(savedRange.commonAncestorContainer) ? savedRange : null;
        if (!range) { range = document.createRange(); range.setStart(area, area.childNodes.length); }
        setSelection(range);
      }
      return sel.getRangeAt(0);
    }

    function selectionNode() {
      const sel = window.getSelection();
      return sel.rangeCount && area.contains(sel.anchorNode) ? sel.anchorNode : null;
    }

    function placeCaret(node, after, atStart) {
      const range = document.createRange();
      if (after) range.setStartAfter(node);
      else { range.selectNodeContents(node); range.collapse(!!atStart); }
      setSelection(range);
      if (node.parentElement) node.parentElement.scrollIntoView({ block: 'nearest' });
    }

    // keepCaret runs fn, which moves nodes around, and puts the selection back:
    // a live range collapses when the nodes holding it are moved.
    function keepCaret(fn) {
      const sel = window.getSelection(), r = sel.rangeCount ? sel.getRangeAt(0) : null;
      const b = r && [r.startContainer, r.startOffset, r.endContainer, r.endOffset];
      fn();
      if (!b || !area.contains(b[0]) || !area.contains(b[2])) return;
      try {
        const range = document.createRange();
        range.setStart(b[0], b[1]);
        range.setEnd(b[2], b[3]);
        setSelection(range);
      } catch (e) { /* the boundary nodes changed too much: leave the caret where it is */ }
    }

    // Inline runs typed straight into the editing area get their paragraph.
    function wrapStrayInline() {
      let p = null;
      for (const node of Array.from(area.childNodes)) {
        const block = node.nodeType === 1 && /^(P|H[1-6]|UL|OL|TABLE|BLOCKQUOTE|FIGURE|DIV|PRE)$/.test(node.nodeName);
        if (block || (node.nodeType === 3 && !p && SPACE.test(node.data))) p = null;
        else (p = p || area.insertBefore(document.createElement('p'), node)).appendChild(node);
      }
      if (!area.firstChild) area.innerHTML = '<p><br></p>';
    }

    function flattenBlocks(nodes) { // blocks as lines, for a list item or a table cell
      const frag = document.createDocumentFragment();
      nodes.forEach((node, i) => {
        if (i > 0) frag.appendChild(document.createElement('br'));
        if (/^(P|H2|H3|H4|FIGCAPTION)$/.test(node.nodeName)) frag.append(...node.childNodes);
        else frag.appendChild(node.nodeName === 'BLOCKQUOTE' ? flattenBlocks(Array.from(node.childNodes)) : node);
      });
      return frag;
    }

    // insertFragment puts cleaned blocks at the caret: one paragraph goes in
    // inline; several split the block around the caret; in a list item or
    // table cell they become lines.
    function insertFragment(frag) {
      editingRange();
      keepCaret(wrapStrayInline);
      const range = window.getSelection().getRangeAt(0);
      range.deleteContents();
      const nodes = Array.from(frag.childNodes), host = closestIn(area, range.startContainer, 'li,td,th,figcaption');
      if (!nodes.length) return;
      if (host || (nodes.length === 1 && nodes[0].nodeName === 'P')) {
        const inline = flattenBlocks(host ? nodes : [nodes[0]]), last = inline.lastChild;
        range.insertNode(inline);
        return void (last && placeCaret(last, true));
      }
      const top = topBlock(area, range.startContainer);
      if (!top || top === area) range.insertNode(frag);
      else {
        const tailRange = document.createRange(), tail = top.cloneNode(false);
        tailRange.setStart(range.startContainer, range.startOffset);
        tailRange.setEnd(top, top.childNodes.length);
        tail.appendChild(tailRange.extractContents());
        top.after(frag);
        if (hasContent(tail)) nodes[nodes.length - 1].after(tail);
        if (!hasContent(top)) top.remove();
      }
      const last = nodes[nodes.length - 1];
      if (/^(P|H2|H3|H4)$/.test(last.nodeName)) return placeCaret(last);
      if (!last.nextSibling) last.after(htmlToFragment('<p><br></p>'));
      placeCaret(last.nextSibling, false, true);
    }

    // ---- images

    function placeholder() {
      const id = ++uploadSeq;
      pending.add(id);
      const ph = make('span', { class: 'herald-uploading', contenteditable: 'false', 'data-upload': String(id) }, document);
      ph.textContent = t('uploading');
      return ph;
    }

    function removePlaceholder(ph) {
      const parent = ph.parentNode;
      ph.remove();
      if (parent && parent !== area && /^(FIGURE|P)$/.test(parent.nodeName) && !hasContent(parent) && !parent.querySelector('.herald-uploading')) parent.remove();
    }

    function finishUpload(id, reply, alt) {
      pending.delete(id);
      const ph = area.querySelector('.herald-uploading[data-upload="' + id + '"]'); // may be gone after an undo
      if (!ph || !reply) return void (ph && removePlaceholder(ph));
      const img = make('img', { src: reply.url, alt: alt || '' }, document);
      if (reply.width > 0) img.setAttribute('width', String(reply.width));
      if (reply.height > 0) img.setAttribute('height', String(reply.height));
      ph.replaceWith(img);
    }

    async function insertFiles(files) {
      const jobs = files.map((file) => {
        const ph = placeholder(), frag = document.createDocumentFragment();
        append(frag, document.createElement('figure')).appendChild(ph);
        insertFragment(frag);
        return { file, id: Number(ph.dataset.upload) };
      });
      afterChange(true);
      for (const job of jobs) {
        try {
          const reply = await uploadImage(uploadURL, csrf(), job.file, fileName(job.file, job.id));
          finishUpload(job.id, reply, (window.prompt(t('imageAlt'), '') || '').trim());
        } catch (err) {
          finishUpload(job.id, null);
          showAlert(t('uploadFailed') + '：' + err.message);
        }
        afterChange(true);
      }
    }

    // planImages decides, for each image in a pasted fragment, where its
    // bytes come from; images already on this site are kept as they are.
    function planImages(frag, files) {
      const queue = files.slice(), jobs = [];
      let dropped = 0;
      for (const img of Array.from(frag.querySelectorAll('img'))) {
        const src = img.getAttribute('src') || '';
        let local = /^\/(?![/\\])/.test(src) ? src : null, source = null;
        try {
          const u = new URL(src);
          if (/^https?:$/.test(u.protocol) && u.origin === location.origin) local = u.pathname + u.search;
        } catch (e) { /* relative or broken: resolved below */ }
        if (local) { img.setAttribute('src', local); continue; }
        if (/^data:image\//i.test(src)) source = { dataURL: src };
        else if (/^https?:/i.test(src)) source = { url: src };
        else if (queue.length) source = { file: queue.shift() }; // file:// and blob: images from Word and WPS
        if (source && uploadURL) {
          const ph = placeholder();
          img.replaceWith(ph);
          jobs.push({ id: Number(ph.dataset.upload), source, alt: img.getAttribute('alt') || '' });
          continue;
        }
        const parent = img.parentNode;
        img.remove();
        if (parent && parent.nodeName === 'FIGURE' && !parent.querySelector('img')) parent.remove();
        dropped++;
      }
      return { jobs, spare: queue, dropped };
    }

    async function resolveImages(plan) {
      let dropped = plan.dropped, problem = '';
      for (const job of plan.jobs) {
        let reply = null, blob = null;
        // Another site refused the image: a copied image may also sit on the clipboard as a file.
        try { blob = await blobFrom(job.source); } catch (e) { blob = plan.spare.shift() || null; }
        try { reply = blob && (await uploadImage(uploadURL, csrf(), blob, fileName(blob, job.id))); } catch (e) { problem = e.message; }
        finishUpload(job.id, reply, job.alt);
        if (!reply) dropped++;
        afterChange(true);
      }
      if (dropped) showAlert(t('pasteImageDropped', { n: dropped }) + (problem ? ' ' + t('uploadFailed') + '：' + problem : ''));
    }

    function insertTransfer(dt) {
      const files = imageFiles(dt), html = dt.getData('text/html'), text = dt.getData('text/plain');
      showAlert('');
      history.record();
      if (!html.trim() && files.length && uploadURL) return void insertFiles(files); // a screenshot
      let plan = null;
      const frag = htmlToFragment(html.trim() ? cleanPastedHTML(html) : textToHTML(text), (inert) => (plan = planImages(inert, files)));
      insertFragment(frag);
      afterChange(true);
      if (plan.jobs.length) resolveImages(plan);
      else if (plan.dropped) showAlert(t('pasteImageDropped', { n: plan.dropped }));
    }

    // ---- cover image

    function refreshCover() {
      const url = cover ? cover.value.trim() : '';
      area.querySelectorAll('img').forEach((img) => img.classList.toggle('is-cover', !!url && img.getAttribute('src') === url));
      if (toolImage) coverButton.setAttribute('aria-pressed', String(toolImage.classList.contains('is-cover')));
    }

    function selectedImage() {
      const sel = window.getSelection(), r = sel.rangeCount && sel.getRangeAt(0);
      if (!r) return null;
      const picked = r.startContainer === r.endContainer && r.endOffset - r.startOffset === 1 && r.startContainer.childNodes[r.startOffset];
      if (picked && picked.nodeName === 'IMG' && area.contains(picked)) return picked;
      const figure = closestIn(area, r.startContainer, 'figure');
      return figure && figure.querySelector('img');
    }

    function showImageTools(img) {
      toolImage = img && cover ? img : null;
      tools.hidden = !toolImage;
      if (!toolImage) return;
      tools.style.top = Math.max(0, img.offsetTop + 8) + 'px';
      tools.style.left = Math.max(0, img.offsetLeft + 8) + 'px';
      refreshCover();
    }

    // ---- commands

    function exec(command, value) {
      editingRange();
      document.execCommand(command, false, value);
    }

    function formatBlock(tag) {
      const block = closestIn(area, selectionNode(), 'p,h2,h3,h4');
      exec('formatBlock', '<' + (block && block.localName === tag ? 'p' : tag) + '>');
    }

    function toggleQuote() {
      const range = editingRange(), quote = closestIn(area, range.startContainer, 'blockquote');
      keepCaret(() => {
        if (quote) return void unwrap(quote);
        wrapStrayInline();
        const first = topBlock(area, range.startContainer), last = topBlock(area, range.endContainer);
        if (!first || first === area) return;
        const blocks = [first];
        for (let n = first; n !== last && n.nextSibling; n = n.nextSibling) blocks.push(n.nextSibling);
        first.before(document.createElement('blockquote'));
        first.previousSibling.append(...blocks);
      });
      if (quote) keepCaret(wrapStrayInline);
    }

    function insertLink() {
      const range = editingRange().cloneRange(), current = closestIn(area, range.startContainer, 'a');
      const typed = (window.prompt(t('linkPrompt'), current ? current.getAttribute('href') : 'https://') || '').trim();
      if (!typed || typed === 'https://') return void setSelection(range);
      const href = safeHref(/^www\./i.test(typed) ? 'https://' + typed : /^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(typed) ? 'mailto:' + typed : typed);
      if (!href) return void showAlert(t('linkPrompt'));
      area.focus({ preventScroll: true });
      setSelection(range);
      if (current) current.setAttribute('href', href);
      else if (!range.collapsed) document.execCommand('createLink', false, href);
      else {
        const a = make('a', { href }, document);
        a.textContent = typed;
        range.insertNode(a);
        placeCaret(a, true);
      }
    }

    function removeLink() {
      const range = editingRange(), current = closestIn(area, range.startContainer, 'a');
      if (range.collapsed && current) keepCaret(() => unwrap(current));
      else document.execCommand('unlink');
    }

    function insertTable() {
      const rows = parseCount(window.prompt(t('tableRows'), '3'), 1, 50);
      const cols = rows && parseCount(window.prompt(t('tableCols'), '3'), 1, 12);
      if (!rows || !cols) return void editingRange();
      const row = (cell) => '<tr>' + ('<' + cell + '><br></' + cell + '>').repeat(cols) + '</tr>';
      const frag = htmlToFragment('<table><thead>' + row('th') + '</thead>' + (rows > 1 ? '<tbody>' + row('td').repeat(rows - 1) + '</tbody>' : '') + '</table><p><br></p>');
      const firstCell = frag.querySelector('th');
      insertFragment(frag);
      placeCaret(firstCell, false, true);
    }

    function toggleSource() {
      sourceMode = !sourceMode;
      if (sourceMode) {
        textarea.value = serialize();
        showImageTools(null);
      } else { setHTML(textarea.value); history.record(); }
      textarea.hidden = !sourceMode;
      area.hidden = sourceMode;
      for (const name in buttons) if (name !== 'source') buttons[name].setAttribute('aria-disabled', String(sourceMode));
      buttons.source.setAttribute('aria-pressed', String(sourceMode));
      (sourceMode ? textarea : area).focus();
      if (!sourceMode) afterChange(false);
    }

    const COMMANDS = {
      paragraph: () => formatBlock('p'), heading2: () => formatBlock('h2'), heading3: () => formatBlock('h3'), heading4: () => formatBlock('h4'),
      bold: () => exec('bold'), italic: () => exec('italic'), underline: () => exec('underline'),
      bulletList: () => exec('insertUnorderedList'), numberedList: () => exec('insertOrderedList'), quote: toggleQuote,
      link: insertLink, unlink: removeLink, table: insertTable, clearFormat: () => exec('removeFormat'),
    };

    function run(name) {
      if (name === 'source') return toggleSource();
      if (sourceMode) return;
      if (name === 'image') return picker.click();
      if (name === 'undo' || name === 'redo') return history[name]();
      history.record();
      COMMANDS[name]();
      afterChange(true);
    }

    // ---- toolbar state

    let toolbarFrame = 0;
    function updateToolbar() {
      cancelAnimationFrame(toolbarFrame);
      toolbarFrame = requestAnimationFrame(() => {
        const node = selectionNode();
        if (sourceMode || !node) return;
        const block = closestIn(area, node, 'p,h2,h3,h4,li,td,th,figcaption'), tag = block && block.localName;
        const list = closestIn(area, node, 'ul,ol'), listTag = list && list.localName;
        const state = (cmd) => { try { return document.queryCommandState(cmd); } catch (e) { return false; } };
        const pressed = {
          paragraph: tag === 'p', heading2: tag === 'h2', heading3: tag === 'h3', heading4: tag === 'h4',
          bold: state('bold'), italic: state('italic'), underline: state('underline'),
          bulletList: listTag === 'ul', numberedList: listTag === 'ol', quote: !!closestIn(area, node, 'blockquote'),
        };
        for (const name in pressed) buttons[name].setAttribute('aria-pressed', String(pressed[name]));
      });
    }

    // ---- events

    toolbar.addEventListener('mousedown', (e) => e.target.closest('button') && e.preventDefault()); // keep the text selection
    toolbar.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-cmd]');
      if (!b) return;
      toolbar.querySelectorAll('button').forEach((x) => (x.tabIndex = x === b ? 0 : -1));
      run(b.dataset.cmd);
    });
    toolbar.addEventListener('keydown', (e) => { // roving tabindex
      const all = Array.from(toolbar.querySelectorAll('button')), i = all.indexOf(document.activeElement);
      if (e.key === 'Escape' && !sourceMode) return void area.focus();
      let next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
      if (next === undefined || i < 0) return;
      e.preventDefault();
      next = (next + all.length) % all.length;
      all.forEach((b, j) => (b.tabIndex = j === next ? 0 : -1));
      all[next].focus();
    });

    area.addEventListener('keydown', (e) => {
      if (e.altKey && e.key === 'F10') { // the usual way from the text to its toolbar
        e.preventDefault();
        return void toolbar.querySelector('button[tabindex="0"]').focus();
      }
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = /^Key[A-Z]$/.test(e.code) ? e.code.slice(3).toLowerCase() : e.key.toLowerCase();
      const name = { b: 'bold', i: 'italic', u: 'underline', z: e.shiftKey ? 'redo' : 'undo', y: 'redo' }[key];
      if (name) { e.preventDefault(); run(name); }
    });
    area.addEventListener('beforeinput', (e) => {
      if (e.inputType !== 'historyUndo' && e.inputType !== 'historyRedo') return;
      e.preventDefault();
      run(e.inputType === 'historyUndo' ? 'undo' : 'redo');
    });
    const typed = (e) => {
      if (e.isComposing) return; // wait for the input method to commit the characters
      if (!area.firstElementChild || area.firstChild.nodeType === 3) keepCaret(wrapStrayInline);
      history.recordSoon();
      afterChange(false, true);
    };
    area.addEventListener('input', typed);
    area.addEventListener('compositionend', typed);
    area.addEventListener('paste', (e) => {
      if (!e.clipboardData) return;
      e.preventDefault();
      insertTransfer(e.clipboardData);
    });
    area.addEventListener('dragstart', () => (internalDrag = true));
    area.addEventListener('dragend', () => (internalDrag = false));
    area.addEventListener('drop', (e) => { // dropped files and pages are cleaned like a paste
      const dt = e.dataTransfer, types = dt ? Array.from(dt.types) : [];
      if (internalDrag || !(types.includes('Files') || types.includes('text/html'))) return;
      e.preventDefault();
      const pos = document.caretRangeFromPoint ? document.caretRangeFromPoint(e.clientX, e.clientY)
        : document.caretPositionFromPoint && document.caretPositionFromPoint(e.clientX, e.clientY);
      if (pos) {
        savedRange = document.createRange();
        savedRange.setStart(pos.startContainer || pos.offsetNode, pos.startOffset !== undefined ? pos.startOffset : pos.offset);
        area.blur(); // so that editingRange() takes savedRange
      }
      insertTransfer(dt);
    });
    area.addEventListener('click', (e) => {
      if (e.target.nodeName !== 'IMG') return;
      const range = document.createRange();
      range.selectNode(e.target);
      setSelection(range);
      showImageTools(e.target);
    });
    document.addEventListener('selectionchange', () => {
      const node = !sourceMode && selectionNode();
      if (!node) return;
      savedRange = window.getSelection().getRangeAt(0).cloneRange();
      updateToolbar();
      const img = selectedImage();
      if (img) showImageTools(img);
      else if (!tools.contains(document.activeElement)) showImageTools(null);
    });
    wrap.addEventListener('focusout', (e) => wrap.contains(e.relatedTarget) || selectedImage() || showImageTools(null));
    coverButton.addEventListener('click', () => {
      if (!toolImage || !cover) return;
      cover.value = toolImage.getAttribute('src');
      cover.dispatchEvent(new Event('input', { bubbles: true }));
      cover.dispatchEvent(new Event('change', { bubbles: true }));
      refreshCover();
    });
    if (cover) cover.addEventListener('input', refreshCover);
    picker.addEventListener('change', () => {
      const files = Array.from(picker.files || []), ok = files.filter((f) => IMAGE_TYPES.indexOf(f.type) >= 0);
      picker.value = '';
      if (ok.length < files.length) showAlert(t('uploadFailed') + '：' + files.filter((f) => ok.indexOf(f) < 0).map((f) => f.name).join('、'));
      if (ok.length) insertFiles(ok);
    });
    if (label) label.addEventListener('click', (e) => {
      e.preventDefault();
      (sourceMode ? textarea : area).focus();
    });
    if (form) form.addEventListener('submit', () => (flushTimer ? flush() : sync()));

    function csrf() {
      const field = form && form.elements.namedItem('csrf');
      return field ? field.value : '';
    }

    try {
      document.execCommand('defaultParagraphSeparator', false, 'p');
      document.execCommand('styleWithCSS', false, false);
    } catch (e) { /* older engines: paragraphs may come as <div>, which serialize() turns into <p> */ }
    setHTML(textarea.value);
    history.record();

    return Object.assign(api, {
      area, textarea, sync, serialize,
      flush: () => flushTimer && flush(),
      getHTML: () => (sourceMode ? textarea.value : serialize()),
      setHTML(html) {
        setHTML(html);
        history.record(); // undo goes back to what was there before
        sync();
      },
      insertHTML(html) {
        history.record();
        insertFragment(htmlToFragment(cleanPastedHTML(html)));
        afterChange(true);
      },
    });
  }

  // --------------------------------------------------------------- autosave

  function clock(date) {
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  }

  function setupAutosave(form, editor) {
    const key = form.dataset.draftKey, url = form.dataset.autosaveUrl, versionField = form.elements.namedItem('version');
    let status = document.getElementById('autosave-status');
    if (!status) editor.area.parentNode.after(status = make('p', { id: 'autosave-status', role: 'status', 'aria-live': 'polite' }, document));
    let seq = 0, syncedSeq = 0, localOK = true, timer = 0, firstUnsaved = 0, backoff = 0;
    let retrying = false, inFlight = false, submitting = false, notice = '';

    function show(message) {
      status.textContent = [notice, message].filter(Boolean).join(' ');
    }

    function fields(withSecrets) {
      const pairs = [];
      for (const [name, value] of new FormData(form)) {
        if (typeof value === 'string' && (withSecrets || (name !== 'csrf' && name !== 'version'))) pairs.push([name, value]);
      }
      return pairs;
    }

    function sameFields(a, b) { // the body is compared as the editor would write it
      const norm = (p) => p[0] + '=' + (p[0] === editor.textarea.name ? cleanPastedHTML(p[1]) : p[1].replace(/\r\n?/g, '\n'));
      return a.length === b.length && a.every((p, i) => norm(p) === norm(b[i]));
    }

    function applyFields(pairs) {
      const values = {}, used = {};
      pairs.forEach(([name, value]) => (values[name] = values[name] || []).push(value));
      for (const field of Array.from(form.elements)) {
        const name = field.name, vals = values[name];
        if (!vals || name === 'csrf' || name === 'version' || /^(file|submit|button|reset|image)$/.test(field.type)) continue;
        if (field.type === 'checkbox' || field.type === 'radio') field.checked = vals.indexOf(field.value) >= 0;
        else if (field.type === 'select-multiple') Array.from(field.options).forEach((o) => (o.selected = vals.indexOf(o.value) >= 0));
        else field.value = vals[(used[name] = (used[name] || 0) + 1) - 1] || '';
      }
    }

    function writeLocal(extra) {
      if (!key) return;
      try {
        const draft = { fields: fields(false), version: versionField ? versionField.value : '', savedAt: Date.now() };
        localStorage.setItem(key, JSON.stringify(Object.assign(draft, extra)));
        localOK = true;
      } catch (e) { localOK = false; } // storage full or disabled: the page now warns before closing
    }

    function dropLocal() {
      try { if (key) localStorage.removeItem(key); } catch (e) { /* nothing kept, nothing to drop */ }
    }

    function changed() {
      if (submitting) return;
      seq++;
      notice = '';
      writeLocal();
      schedule();
    }

    // schedule waits 3 s after the last change, but no more than 10 s after
    // the first unsaved one, so continuous typing is still saved.
    function schedule() {
      if (!url || submitting || retrying) return;
      const now = Date.now();
      firstUnsaved = firstUnsaved || now;
      clearTimeout(timer);
      timer = setTimeout(send, Math.max(0, Math.min(now + 3000, firstUnsaved + 10000) - now));
    }

    function retry() { // 5 s, 10 s, 20 s … at most a minute
      backoff = Math.min(backoff ? backoff * 2 : 5000, 60000);
      retrying = true;
      clearTimeout(timer);
      timer = setTimeout(send, backoff);
    }

    async function send(keepalive) {
      clearTimeout(timer);
      retrying = false;
      if (!url || submitting || seq === syncedSeq) return;
      if (inFlight) return void (timer = setTimeout(send, 1000));
      inFlight = true;
      firstUnsaved = 0;
      const sending = seq;
      editor.sync();
      show(t('saving'));
      try {
        const res = await fetch(url, {
          method: 'POST', body: new URLSearchParams(fields(true)), headers: { Accept: 'application/json' },
          credentials: 'same-origin', keepalive: keepalive === true,
        });
        if (res.ok) {
          const at = new Date((await res.json().catch(() => ({}))).saved_at || Date.now());
          syncedSeq = sending;
          backoff = 0;
          show(t('saved', { time: clock(isNaN(at) ? new Date() : at) }));
          if (seq === sending) dropLocal();
        } else if (res.status === 409) show(t('conflict'));
        else if (res.status >= 500) throw new Error(res.statusText);
        else show(await problemMessage(res)); // e.g. the session expired
      } catch (e) {
        show(t('offline'));
        retry();
      } finally {
        inFlight = false;
        if (seq !== sending && seq !== syncedSeq) schedule();
      }
    }

    function restore() {
      let draft = null;
      try { draft = key && JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { /* unreadable: dropped */ }
      if (!draft) return dropLocal();
      // A copy flagged at submit is stale once that save went through (new article, or a newer version).
      const stale = draft.submitted && (!url || String(draft.version) !== (versionField ? versionField.value : ''));
      if (!Array.isArray(draft.fields) || stale || sameFields(draft.fields, fields(false))) return dropLocal();
      applyFields(draft.fields);
      // Keep the base version: if the article moved on, the server answers 409
      // and the writer compares instead of silently overwriting.
      if (versionField && draft.version !== undefined && draft.version !== '') versionField.value = draft.version;
      editor.setHTML(editor.textarea.value);
      const time = new Date(draft.savedAt || Date.now()).toLocaleString(document.documentElement.lang || undefined,
        { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
      notice = t('restored', { time });
      show('');
      seq++;
      writeLocal({ savedAt: draft.savedAt });
      send();
    }

    form.addEventListener('input', (e) => editor.area.contains(e.target) || changed());
    form.addEventListener('change', (e) => e.target.type === 'file' || editor.area.contains(e.target) || changed());
    form.addEventListener('submit', () => {
      submitting = true;
      clearTimeout(timer);
      writeLocal({ submitted: true });
    });
    window.addEventListener('pageshow', (e) => e.persisted && (submitting = false));
    window.addEventListener('online', () => seq !== syncedSeq && send());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'hidden') return;
      editor.flush();
      if (seq !== syncedSeq && !inFlight) send(true);
    });
    window.addEventListener('pagehide', () => editor.flush());
    window.addEventListener('beforeunload', (e) => {
      editor.flush();
      if (submitting || seq === syncedSeq || localOK) return;
      e.preventDefault();
      e.returnValue = '';
    });
    editor.onChange = changed;
    restore();
    return { changed, send, isSynced: () => seq === syncedSeq };
  }

  // ------------------------------------------------------------------- boot

  window.HeraldEditor = { cleanPastedHTML, textToHTML, safeHref, editor: null, autosave: null };

  function init() {
    loadLabels();
    const textarea = document.querySelector('textarea[data-editor]');
    if (!textarea || !window.fetch || !window.DOMParser) return;
    const editor = window.HeraldEditor.editor = createEditor(textarea);
    if (textarea.form) window.HeraldEditor.autosave = setupAutosave(textarea.form, editor);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
