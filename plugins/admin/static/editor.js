/*
 * The editor's setup (after Sveltia CMS and pelican-format.js): our file
 * format, the Id as `invoke new` makes it, each article's state in the list,
 * and the site's own stylesheet in the preview.
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
      if (entry.get("newRecord") || !data.get("id")) {
        data = data.set("id", format.articleId(data.get("date"), entry.get("slug")));
      }
      return data.set("when", state(data.toJS()));
    },
  });

  CMS.registerPreviewStyle(meta("preview-stylesheet"));
  CMS.init();
})();
