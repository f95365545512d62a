// The city console's enhancement of the challenge form: the sum of the criteria's
// weights, kept up to date while they are typed. The form works without it (the page
// shows the sum it was given, and the server checks it on saving).
document.addEventListener("DOMContentLoaded", function () {
  var group = document.querySelector("[data-weights]");
  var total = document.querySelector("[data-weight-total]");
  if (!group || !total) {
    return;
  }
  function update() {
    var sum = 0;
    var known = true;
    group.querySelectorAll("[data-weight]").forEach(function (input) {
      var text = input.value.trim();
      if (text === "") {
        return;
      }
      if (!/^\d+$/.test(text)) {
        known = false;
        return;
      }
      sum += parseInt(text, 10);
    });
    if (!known) {
      total.textContent = total.dataset.unknown;
      total.classList.add("weight-total--off");
      return;
    }
    var says = total.dataset.says.replace("{total}", String(sum));
    var whole = sum === 100;
    total.textContent = says + " " + (whole ? total.dataset.ok : total.dataset.off);
    total.classList.toggle("weight-total--off", !whole);
    total.classList.toggle("weight-total--ok", whole);
  }
  total.hidden = false;
  group.addEventListener("input", update);
  update();
});
