/*
 * The editor's setup (after Sveltia CMS, pelican-format.js and pelican-slug.js):
 * our file format, the file name and the Id as `invoke new` makes them, each
 * article's state in the list, and the site's own stylesheet in the preview.
 */
(function () {
  "use strict";
  var format = window.PelicanFormat;

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.content : "";
  }

  var zone = meta("site-timezone");

  /** "2027-06-01 09:00" on the clocks of `timeZone`, as an instant (ms), or NaN. */
  function instant(date, timeZone) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(String(date || "").trim());
    if (!parts) return NaN;
    var wall = Date.UTC(+parts[1], parts[2] - 1, +parts[3], +parts[4], +parts[5]);
    var guess = wall;
    for (var i = 0; i < 2; i += 1) {
      var shown = new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "numeric",
        day: "numeric", hour: "numeric", minute: "numeric",
      }).formatToParts(guess).reduce(function (all, part) {
        all[part.type] = +part.value;
        return all;
      }, {});
      var clock = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute);
      guess += wall - clock;
    }
    return guess;
  }

  /** What the site does with the article now (the list shows it). */
  function state(entry) {
    var status = String(entry.status || "published").toLowerCase();
    if (status !== "published") return status;
    var at = instant(entry.date, zone);
    return at > Date.now() ? "scheduled for " + entry.date + " (" + zone + ")" : "published";
  }

  /**
   * The article's file name: a saved article keeps its own; a new one gets the
   * one `invoke new` makes of its title, or why `invoke new` refuses the title.
   */
  function fileName(entry) {
    var saved = entry && entry.get("slug");
    if (saved) return { name: saved, saved: true };
    return window.PelicanSlug.fileName(entry ? entry.getIn(["data", "title"]) : "");
  }

  // The file_name field (config.json names the new file after it): it shows
  // the file name as the title is typed, and refuses to save where `invoke new`
  // would refuse the title.
  var FileName = window.createClass({
    componentDidMount: function () { this.follow(); },
    componentDidUpdate: function () { this.follow(); },
    follow: function () {
      var made = fileName(this.props.entry);
      var value = made.name || "";
      if (!made.saved && (this.props.value || "") !== value) this.props.onChange(value);
    },
    isValid: function () {
      var made = fileName(this.props.entry);
      return made.refusal ? { error: { message: made.refusal } } : true;
    },
    render: function () {
      var made = fileName(this.props.entry);
      return window.h(
        "output",
        { id: this.props.forID, className: this.props.classNameWrapper },
        made.refusal || "content/articles/" + made.name + ".md"
      );
    },
  });
  CMS.registerFieldType("file_name", FileName);

  CMS.registerCustomFormat("pelican", "md", {
    fromFile: function (text) {
      var entry = format.fromFile(text);
      entry.when = state(entry);
      return entry;
    },
    toFile: format.toFile,
  });

  // A new article (or one without an Id) gets the Id `invoke new` writes: its
  // day and its file name; a copy of an article gets its own. An Id that is
  // there is never changed. The list shows the state of what was just saved.
  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var entry = event.entry;
      var data = entry.get("data");
      if (entry.get("collection") !== "articles") return data;
      var name = data.get("file_name");
      if (entry.get("newRecord") && name && entry.get("slug") !== name) {
        // The name is taken (Sveltia CMS would add "-1"): refused, as `invoke
        // new` refuses it. "saving_failed" is how Sveltia CMS shows a cause.
        throw new Error("saving_failed", {
          cause: new Error(
            "content/articles/" + name + ".md already exists; edit it, or choose another title."
          ),
        });
      }
      if (entry.get("newRecord") || !data.get("id")) {
        data = data.set("id", format.articleId(data.get("date"), entry.get("slug")));
      }
      return data.set("when", state(data.toJS()));
    },
  });

  CMS.registerPreviewStyle(meta("preview-stylesheet"));
  CMS.init();
})();
