// The scoring sheet's running weighted total, worked out as the evaluator types: the
// same sum as the server's (weight x score / 100 over the criteria given a 0-10 score).
// The page works without it: the server works the total out again on every save.
(function () {
  "use strict";

  function format(value, language) {
    try {
      return new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
    } catch (error) {
      return String(Math.round(value * 100) / 100);
    }
  }

  function scoreOf(input) {
    var text = input.value.trim();
    if (!/^\d{1,2}$/.test(text)) {
      return null;
    }
    var score = Number(text);
    return score <= 10 ? score : null;
  }

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function enhance(form) {
    // The total below the criteria, and its copy beside the proposal on wide screens.
    var values = all("[data-total-value]");
    var progresses = all("[data-total-progress]");
    var unsaved = all("[data-total-unsaved]");
    var criteria = Array.prototype.slice.call(form.querySelectorAll("[data-weight]"));
    var language = document.documentElement.lang || "en";
    var source = form.querySelector("[data-total-progress][data-template]");
    var template = source ? source.getAttribute("data-template") : null;
    var saved = criteria.map(function (criterion) {
      return criterion.querySelector("input[name$='.score']").value.trim();
    });

    function update() {
      var sum = 0;
      var scored = 0;
      var changed = false;
      criteria.forEach(function (criterion, index) {
        var input = criterion.querySelector("input[name$='.score']");
        var score = scoreOf(input);
        if (score !== null) {
          sum += Number(criterion.getAttribute("data-weight")) * score;
          scored += 1;
        }
        if (input.value.trim() !== saved[index]) {
          changed = true;
        }
      });
      values.forEach(function (value) {
        value.textContent = format(sum / 100, language);
      });
      if (template) {
        progresses.forEach(function (progress) {
          progress.textContent = template.replace("{scored}", String(scored));
        });
      }
      unsaved.forEach(function (note) {
        note.hidden = !changed;
      });
    }

    form.addEventListener("input", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scoring-sheet]"), enhance);
  });
})();
