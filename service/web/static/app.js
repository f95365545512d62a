// Proeftuin's own enhancements; every page works without them.
// A refused form: move the focus to the error summary, so the reader hears it first
// (GOV.UK's error summary behaviour); its links then move to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
