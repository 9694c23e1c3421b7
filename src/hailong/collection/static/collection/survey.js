// Progressive help for the survey form; the form works without it.
// 1. Questions with a skip rule on the same screen are shown only when they apply.
// 2. Answers are kept in this tab's storage, so a reload or a lost connection loses nothing.
(function () {
  if (document.getElementById("answers-sent")) {  // the thank-you page: forget every draft
    Object.keys(window.sessionStorage).forEach(function (k) { if (k.indexOf("hailong:") === 0) window.sessionStorage.removeItem(k); });
    return;
  }
  var form = document.getElementById("survey");
  if (!form) return;
  var store = window.sessionStorage, key = "hailong:" + form.dataset.key;
  function values(name) {
    return Array.prototype.map.call(form.querySelectorAll('[name="' + name + '"]:checked'), function (i) { return i.value; });
  }
  function rules() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var wanted = box.dataset.showValues.split(" "), given = values(box.dataset.showIf);
      var shown = given.some(function (v) { return wanted.indexOf(v) >= 0; });
      box.hidden = !shown;
      box.querySelectorAll("input, textarea").forEach(function (i) { i.disabled = !shown; });
    });
  }
  function save() {
    var data = {};
    form.querySelectorAll("fieldset input, fieldset textarea").forEach(function (i) {
      if ((i.type === "radio" || i.type === "checkbox") ? i.checked : i.value) (data[i.name] = data[i.name] || []).push(i.value);
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  function restore() {
    var data;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) return;
    form.querySelectorAll("fieldset input, fieldset textarea").forEach(function (i) {
      var got = data[i.name];
      if (!got) return;
      if (i.type === "radio" || i.type === "checkbox") { if (!form.querySelector('[name="' + i.name + '"]:checked')) i.checked = got.indexOf(i.value) >= 0; }
      else if (!i.value) i.value = got[got.length - 1];
    });
  }
  restore();
  rules();
  form.addEventListener("change", function () { rules(); save(); });
  form.addEventListener("input", save);
  var summary = document.getElementById("errors");
  if (summary) summary.focus();
})();
