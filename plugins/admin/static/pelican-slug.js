/*
 * A new article's file name in the editor, made as `invoke new` makes it
 * (tasks.py `new`): the title's whitespace made single spaces, invisible
 * characters refused, then Pelican's slugify (pelican.utils.slugify with the
 * site's settings: MarkupSafe's striptags, NFKC, Unidecode, the default
 * SLUG_REGEX_SUBSTITUTIONS, lower case), a long name cut after its last whole
 * word within 80 characters, and a name without letters or digits refused.
 *
 * The tables (Unidecode's, Python's HTML character references and whitespace,
 * the invisible characters) come from the build, from the very Python packages
 * `invoke new` uses (slug-tables.js, plugins/admin/slug_tables.py).
 * tests/test_admin_file_names.py runs both on the same titles.
 */
(function (root) {
  "use strict";

  var LIMIT = 80; // tasks.py `_short_slug`

  function tables() {
    return root.PelicanSlugTables;
  }

  function characters(text) {
    return Array.from(text); // code points, as Python counts them
  }

  /** Python's `" ".join(text.split())`. */
  function singleSpaces(text) {
    var spaces = tables().spaces;
    var words = [];
    var word = "";
    characters(text).forEach(function (char) {
      if (spaces.indexOf(char) === -1) {
        word += char;
      } else if (word) {
        words.push(word);
        word = "";
      }
    });
    if (word) words.push(word);
    return words.join(" ");
  }

  /** Python's html.unescape (HTML 5's rules for character references). */
  function unescape(text) {
    if (text.indexOf("&") === -1) return text;
    var t = tables();
    var has = Object.prototype.hasOwnProperty;
    return text.replace(
      /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g,
      function (whole, s) {
        if (s[0] === "#") {
          var hex = s[1] === "x" || s[1] === "X";
          var num = parseInt(s.slice(hex ? 2 : 1).replace(/;$/, ""), hex ? 16 : 10);
          if (has.call(t.invalidCharrefs, String(num))) return t.invalidCharrefs[num];
          if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return "\ufffd";
          if (t.invalidCodepoints.indexOf(num) !== -1) return "";
          return String.fromCodePoint(num);
        }
        if (has.call(t.entities, s)) return t.entities[s];
        for (var x = s.length - 1; x > 1; x -= 1) {
          if (has.call(t.entities, s.slice(0, x))) return t.entities[s.slice(0, x)] + s.slice(x);
        }
        return "&" + s;
      }
    );
  }

  /** MarkupSafe's Markup(text).striptags(). */
  function stripTags(text) {
    var parts = [];
    var pos = 0;
    var start;
    while ((start = text.indexOf("<", pos)) !== -1) {
      var end;
      if (text.startsWith("<!--", start)) {
        end = text.indexOf("-->", start + 4);
        if (end === -1) break;
        end += 3;
      } else {
        end = text.indexOf(">", start);
        if (end === -1) break;
        end += 1;
      }
      parts.push(text.slice(pos, start));
      pos = end;
    }
    if (pos > 0) {
      parts.push(text.slice(pos));
      text = parts.join("");
    }
    return unescape(singleSpaces(text));
  }

  function unassigned(point) {
    var ranges = tables().unassigned;
    var low = 0;
    var high = ranges.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (point < ranges[middle][0]) high = middle - 1;
      else if (point > ranges[middle][1]) low = middle + 1;
      else return true;
    }
    return false;
  }

  /**
   * Python's unicodedata.normalize("NFKC", text): a character newer than
   * Python's Unicode data stays as it is (the browser's may know it).
   */
  function nfkc(text) {
    var out = "";
    var run = "";
    characters(text).forEach(function (char) {
      if (unassigned(char.codePointAt(0))) {
        out += run.normalize("NFKC") + char;
        run = "";
      } else {
        run += char;
      }
    });
    return out + run.normalize("NFKC");
  }

  /** Unidecode's unidecode(text). */
  function unidecode(text) {
    var sections = tables().unidecode;
    return characters(text).map(function (char) {
      var point = char.codePointAt(0);
      if (point < 0x80) return char;
      var section = sections[point >> 8];
      return (section && section[point & 0xff]) || "";
    }).join("");
  }

  /** pelican.utils.slugify with the site's settings (Pelican's defaults). */
  function slugify(text) {
    var value = unidecode(nfkc(stripTags(text)));
    // SLUG_REGEX_SUBSTITUTIONS, on ASCII text (Python's \s has \x1c-\x1f too).
    var space = " \\t\\n\\r\\f\\v\\x1c-\\x1f";
    value = value
      .replace(new RegExp("[^A-Za-z0-9_" + space + "-]", "g"), "")
      .replace(new RegExp("^[" + space + "]*"), "")
      .replace(new RegExp("[" + space + "]*$"), "")
      .replace(new RegExp("[-" + space + "]+", "g"), "-");
    return value.toLowerCase();
  }

  /** tasks.py `_short_slug`: cut after a whole word. */
  function shortSlug(slug) {
    if (slug.length <= LIMIT) return slug;
    var cut = slug.slice(0, LIMIT + 1);
    return cut.slice(0, cut.lastIndexOf("-") === -1 ? cut.length : cut.lastIndexOf("-"))
      || slug.slice(0, LIMIT);
  }

  /**
   * The file name (without .md) `invoke new` gives a title, as
   * {name: "dont-stop"}, or {refusal: "what to do"} where it refuses the title.
   */
  function fileName(title) {
    var safe = singleSpaces(String(title == null ? "" : title));
    var invisible = new RegExp(tables().invisible, "u");
    var found = invisible.exec(safe);
    if (found) {
      var point = found[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      var column = characters(safe.slice(0, found.index)).length + 1;
      return {
        refusal: "The title holds an invisible character (U+" + point + ", character " +
          column + "); type it again without pasting.",
      };
    }
    var name = shortSlug(slugify(safe));
    if (!/[A-Za-z0-9]/.test(name)) {
      return { refusal: "Give the title letters or digits: the article's address is made of them" };
    }
    return { name: name };
  }

  var slug = { fileName: fileName, slugify: slugify };
  root.PelicanSlug = slug;
  if (typeof module !== "undefined" && module.exports) module.exports = slug;
})(typeof globalThis !== "undefined" ? globalThis : this);
