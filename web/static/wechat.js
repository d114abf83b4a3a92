/*
 * Herald newsroom: the WeChat rendition page's copy buttons.
 *
 * "Copy body" puts the rendition on the clipboard as rich text (text/html,
 * with text/plain beside it) for the public account's editor, through the
 * Clipboard API; where that is missing or refused, it copies them with
 * document.execCommand('copy'), setting the data in the copy event, and when
 * even that fails it selects the body in the preview frame for Ctrl+C.
 * "Copy digest" does the same with the digest's text, selected in its box.
 * Each says what happened in a live region next to it.
 *
 * The rendition is read from textarea#wechat-html, exactly as the server
 * rendered it; the preview is iframe#wechat-frame (same origin), whose
 * #rendition element holds the same markup. The buttons stay hidden without
 * this script.
 *
 * Labels come from <script type="application/json" id="wechat-labels">:
 *   copied copyFailed summaryCopied summaryFailed
 */
(function () {
  'use strict';

  const node = document.getElementById('wechat-labels');
  let labels = {};
  try { labels = (node && JSON.parse(node.textContent)) || {}; } catch (e) { labels = {}; }
  const t = (key) => (typeof labels[key] === 'string' && labels[key]) || key;

  // say shows msg in a live region; the same message said again is read out
  // again, since the region is emptied first.
  function say(region, msg, failed) {
    region.textContent = '';
    region.classList.toggle('failed', !!failed);
    window.setTimeout(() => { region.textContent = msg; }, 50);
  }

  // richClipboard reports whether the Clipboard API can write HTML.
  function richClipboard() {
    return !!(navigator.clipboard && navigator.clipboard.write && window.ClipboardItem);
  }

  // copyData copies html and text through the copy event of a copy command,
  // which works where the Clipboard API is missing or refused; the page
  // must be handling a click.
  function copyData(html, text) {
    const onCopy = (e) => {
      e.clipboardData.setData('text/html', html);
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    document.addEventListener('copy', onCopy);
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.removeEventListener('copy', onCopy);
    return ok;
  }

  // select selects node's contents in its own document, for Ctrl+C.
  function select(node) {
    const doc = node.ownerDocument;
    const range = doc.createRange();
    range.selectNodeContents(node);
    const sel = doc.defaultView.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // ------------------------------------------------------------- the body

  const copy = document.getElementById('wechat-copy');
  const copied = document.getElementById('wechat-copied');
  const source = document.getElementById('wechat-html');
  const frame = document.getElementById('wechat-frame');

  function previewBody() {
    try {
      const doc = frame && frame.contentDocument;
      return doc && doc.getElementById('rendition');
    } catch (e) {
      return null;
    }
  }

  function plainText(html) {
    const body = previewBody();
    if (body) return body.innerText;
    return new DOMParser().parseFromString(html, 'text/html').body.textContent;
  }

  // copyByHand copies with a copy command; when even that fails, it selects
  // the body in the preview, where Ctrl+C copies it with its styles.
  function copyByHand(html) {
    if (copyData(html, plainText(html))) {
      say(copied, t('copied'));
      return;
    }
    const body = previewBody();
    if (body) {
      select(body);
      frame.contentWindow.focus();
    }
    say(copied, t('copyFailed'), true);
  }

  if (copy && copied && source) {
    copy.hidden = false;
    copy.addEventListener('click', () => {
      const html = source.value;
      if (!richClipboard()) {
        copyByHand(html);
        return;
      }
      const item = new ClipboardItem({
        'text/html': new Blob([html], { type: 'text/html' }),
        'text/plain': new Blob([plainText(html)], { type: 'text/plain' }),
      });
      navigator.clipboard.write([item]).then(() => say(copied, t('copied')), () => copyByHand(html));
    });
  }

  // ----------------------------------------------------------- the digest

  const copySummary = document.getElementById('wechat-copy-summary');
  const summaryCopied = document.getElementById('wechat-summary-copied');
  const summary = document.getElementById('wechat-summary');

  function copySummaryByHand() {
    summary.focus();
    summary.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    say(summaryCopied, ok ? t('summaryCopied') : t('summaryFailed'), !ok);
  }

  if (copySummary && summaryCopied && summary) {
    copySummary.hidden = false;
    copySummary.addEventListener('click', () => {
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        copySummaryByHand();
        return;
      }
      navigator.clipboard.writeText(summary.value).then(() => say(summaryCopied, t('summaryCopied')), copySummaryByHand);
    });
  }
})();
