// A page that shows a refused form's errors: focus goes to the error summary (or the first
// error), so a screen reader announces it and the page opens there. Loaded only on such
// pages; a file of its own because the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector(
    ".error-summary, .field-error, [role='alert'], .notice-error");
  if (!target) { return; }
  if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
  target.focus();
});
