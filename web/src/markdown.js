// Markdown for the tutor's replies, rendered safely.
//
// markdown-it with raw HTML off (any tag is shown as text), images off (nothing is fetched from a
// reply), headings off (a reply must not add headings to the host page's outline) and links only
// to http, https and mailto: any other link is shown as the text it was written as. The server
// has already reduced unsafe links to their text and escaped "<" (bot/channels/echo.py); this is
// the page's own guard, so a reply from any Rasa server is safe here.
// Single line breaks are kept ("...\nSource: ..."), as the tutor writes them.
import MarkdownIt from "markdown-it";

const SAFE_LINK = /^(https?:|mailto:)/i;

const md = new MarkdownIt("default", { html: false, linkify: false, breaks: true, typographer: false });
md.disable(["image", "heading", "lheading"]);
md.validateLink = (url) => SAFE_LINK.test(url.trim());

const renderToken = (tokens, idx, options, env, self) => self.renderToken(tokens, idx, options);
const linkOpen = md.renderer.rules.link_open || renderToken;
const linkClose = md.renderer.rules.link_close || renderToken;

// Links open in a new tab (the conversation stays where it is), and say so to screen readers.
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("target", "_blank");
  tokens[idx].attrSet("rel", "noopener noreferrer");
  return linkOpen(tokens, idx, options, env, self);
};
md.renderer.rules.link_close = (tokens, idx, options, env, self) =>
  '<span class="tc-sr"> (opens in a new tab)</span>' + linkClose(tokens, idx, options, env, self);

/** HTML for a reply's markdown text: no raw HTML, no images, links only http(s) and mailto. */
export function renderMarkdown(text) {
  return md.render(String(text ?? ""));
}

export function isSafeLink(url) {
  return SAFE_LINK.test(String(url).trim());
}
