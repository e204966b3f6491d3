/*
 * Our article format for the editor at /admin/: Pelican's `Key: value` header,
 * a blank line, the Markdown body (docs/writing.md, "The header").
 *
 * fromFile(text) gives the editor one value per field, plus `layout`: how the
 * file was written (its lines as they were, line ends, final newline).
 * toFile(entry) writes every field the coach did not change exactly as it was,
 * so a file opened and saved unchanged keeps its bytes; a changed field gets a
 * `Key: value` line of its own. Plain functions, also run by the tests in Node.
 */
(function (root) {
  "use strict";

  // Field name -> the key as `invoke new` writes it, in its order.
  var KEYS = {
    title: "Title",
    date: "Date",
    id: "Id",
    status: "Status",
    category: "Category",
    tags: "Tags",
    summary: "Summary",
    image: "Image",
  };
  // Python-Markdown's meta extension (which Pelican reads the header with).
  var META_LINE = /^ {0,3}([A-Za-z0-9_-]+):\s*(.*)$/;
  var MORE_LINE = /^ {4,}(.*)$/;
  // Our pictures: written `{static}/images/x.jpg` (the check's form), shown to
  // the editor as `/images/x.jpg` (its media folder's public path).
  var STATIC_IMAGES = "{static}/images/";
  var PUBLIC_IMAGES = "/images/";

  /** The text as [line, its end] pairs (the last end may be ""). */
  function splitLines(text) {
    var lines = [];
    var pattern = /\r\n|\n|\r/g;
    var start = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      lines.push([text.slice(start, match.index), match[0]]);
      start = match.index + match[0].length;
    }
    if (start < text.length) lines.push([text.slice(start), ""]);
    return lines;
  }

  function oneLine(value) {
    return String(value == null ? "" : value).replace(/\s+/g, " ").trim();
  }

  function mostCommonEnd(lines) {
    var counts = { "\n": 0, "\r\n": 0, "\r": 0 };
    lines.forEach(function (line) {
      if (line[1]) counts[line[1]] += 1;
    });
    return Object.keys(counts).reduce(function (best, end) {
      return counts[end] > counts[best] ? end : best;
    }, "\n");
  }

  function imageForEditor(value) {
    return value.indexOf(STATIC_IMAGES) === 0
      ? PUBLIC_IMAGES + value.slice(STATIC_IMAGES.length)
      : value;
  }

  function imageForFile(value) {
    return value.indexOf(PUBLIC_IMAGES) === 0
      ? STATIC_IMAGES + value.slice(PUBLIC_IMAGES.length)
      : value;
  }

  // Picture and link targets in the body: `](…)` and `src="…"`.
  function bodyForEditor(body) {
    return body.split("](" + STATIC_IMAGES).join("](" + PUBLIC_IMAGES)
      .split('src="' + STATIC_IMAGES).join('src="' + PUBLIC_IMAGES);
  }

  function bodyForFile(body) {
    return body.split("](" + PUBLIC_IMAGES).join("](" + STATIC_IMAGES)
      .split('src="' + PUBLIC_IMAGES).join('src="' + STATIC_IMAGES);
  }

  /** A header value as the editor's field holds it. */
  function fieldValue(field, value) {
    if (field === "tags") {
      return value.split(",").map(oneLine).filter(Boolean);
    }
    if (field === "status") return value.trim().toLowerCase();
    if (field === "image") return imageForEditor(value.trim());
    return value.trim();
  }

  /** The header line of a field's value, or "" when it has none. */
  function headerLine(field, value) {
    var text;
    if (field === "tags") {
      text = (Array.isArray(value) ? value : String(value || "").split(","))
        .map(oneLine).filter(Boolean).join(", ");
    } else if (field === "image") {
      text = imageForFile(oneLine(value));
    } else {
      text = oneLine(value);
    }
    return text ? KEYS[field] + ": " + text : "";
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function fromFile(text) {
    var lines = splitLines(text);
    var eol = mostCommonEnd(lines);
    var entry = {};
    var header = [];
    var index = 0;
    // The header: `Key: value` lines (a value may go on over indented lines,
    // which the check refuses but we keep), up to the first blank line.
    while (index < lines.length) {
      var match = META_LINE.exec(lines[index][0]);
      if (!match) break;
      var raw = lines[index][0] + lines[index][1];
      var value = match[2];
      index += 1;
      while (index < lines.length && MORE_LINE.test(lines[index][0]) && lines[index][0].trim()) {
        value += " " + MORE_LINE.exec(lines[index][0])[1];
        raw += lines[index][0] + lines[index][1];
        index += 1;
      }
      var key = match[1].toLowerCase();
      var field = Object.prototype.hasOwnProperty.call(KEYS, key) && !(key in entry) ? key : null;
      var line = { raw: raw };
      if (field) {
        entry[field] = fieldValue(field, value);
        line.field = field;
        line.value = entry[field];
      }
      header.push(line);
    }
    // The blank line after the header (as written), then the body.
    var gap = "";
    if (header.length && index < lines.length && !lines[index][0].trim()) {
      gap = lines[index][0] + lines[index][1];
      index += 1;
    }
    var rest = lines.slice(index);
    var final = rest.length ? rest[rest.length - 1][1] : "";
    var body = rest.map(function (line, i) {
      return line[0] + (i < rest.length - 1 ? "\n" : "");
    }).join("");
    entry.body = bodyForEditor(body);
    var layout = { eol: eol, header: header, gap: gap, final: final, absent: {} };
    // No Status line means published to Pelican; the editor shows it so (rather
    // than its default, draft) and writes no line for it while it stays so.
    if (!("status" in entry)) entry.status = layout.absent.status = "published";
    var rawBody = rest.map(function (line) { return line[0] + line[1]; }).join("");
    if (writeBody(entry.body, layout) !== rawBody) {
      // Mixed line ends or a `](/images/` of its own: kept as it was, while unchanged.
      layout.rawBody = rawBody;
      layout.editorBody = entry.body;
    }
    entry.layout = JSON.stringify(layout);
    return entry;
  }

  function writeBody(body, layout) {
    if (layout.rawBody !== undefined && body === layout.editorBody) return layout.rawBody;
    var text = bodyForFile(String(body || "").replace(/\r\n?/g, "\n"));
    return text ? text.split("\n").join(layout.eol) + layout.final : "";
  }

  function toFile(entry) {
    var layout = entry.layout ? JSON.parse(entry.layout) : null;
    if (!layout) layout = { eol: "\n", header: [], gap: "\n", final: "\n" };
    var eol = layout.eol;
    var written = {};
    var out = [];
    layout.header.forEach(function (line) {
      if (!line.field) {
        out.push(line.raw);
        return;
      }
      written[line.field] = true;
      var value = entry[line.field];
      // A key the editor has no field for (a page's Status) stays as it was.
      if (!(line.field in entry)) {
        out.push(line.raw);
        return;
      }
      if (same(value === undefined ? null : value, line.value)) {
        out.push(line.raw);
        return;
      }
      var text = headerLine(line.field, value);
      // A changed value keeps its line's end; an emptied one loses its line.
      if (text) out.push(text + (/\r\n|\n|\r$/.exec(line.raw) || [eol])[0]);
    });
    var absent = layout.absent || {};
    Object.keys(KEYS).forEach(function (field) {
      if (written[field] || (field in absent && same(entry[field], absent[field]))) return;
      var text = headerLine(field, entry[field]);
      if (text) out.push(text + eol);
    });
    var body = writeBody(entry.body, layout);
    // The blank line as it was; a header where there was none gets one.
    var gap = layout.header.length ? layout.gap : out.length && body ? eol : "";
    return out.join("") + gap + body;
  }

  /** An article's Id as `invoke new` makes it: its day and its file name. */
  function articleId(date, fileName) {
    return String(date || "").slice(0, 10) + "-" + fileName;
  }

  var format = {
    fromFile: fromFile,
    toFile: toFile,
    articleId: articleId,
  };
  root.PelicanFormat = format;
  if (typeof module !== "undefined" && module.exports) module.exports = format;
})(typeof globalThis !== "undefined" ? globalThis : this);
