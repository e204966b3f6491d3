// Progressive enhancement for forms the service accepts in the background: each
// field's problem is said in words next to it, the message goes without leaving
// the page and only once, and on any failure what was typed stays where it is.
// The spam question answers a wrong value in the site's words, with every form.
for (const field of document.querySelectorAll("input[data-mismatch]")) {
  const say = () => {
    field.setCustomValidity("");
    if (field.validity.patternMismatch) field.setCustomValidity(field.dataset.mismatch);
  };
  field.addEventListener("input", say);
  say();
}
for (const form of document.querySelectorAll("form[data-background]:not([data-enhanced])")) {
  form.dataset.enhanced = "";
  const status = form.querySelector("[role=status]");
  const button = form.querySelector("[type=submit]");
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    let first = null;
    for (const field of form.querySelectorAll("[aria-describedby]")) {
      const valid = field.checkValidity();
      const error = document.getElementById(field.id + "-error");
      field.setAttribute("aria-invalid", String(!valid));
      error.textContent = valid ? "" : field.validationMessage;
      first = first || (valid ? null : field);
    }
    if (first) {
      status.textContent = "Please correct the field marked in words above.";
      return first.focus();
    }
    button.disabled = true;
    status.textContent = "Sending…";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error("the service answered " + response.status);
      // A refusal need not be an HTTP error: Kit's embed script reads
      // {"status": "failed"} from the answer, MailerLite's {"success": false}.
      if ((response.headers.get("Content-Type") || "").includes("json")) {
        const answer = await response.json();
        if (answer && (answer.success === false || answer.status === "failed")) {
          throw new Error("the service refused it");
        }
      }
      form.reset();
      status.textContent = "Thank you, it has arrived.";
    } catch (problem) {
      status.textContent = "Sorry, it could not be sent (" + problem.message + "). " +
        "Your text is still here: try again in a moment, or write to " +
        form.dataset.fallback + ".";
    } finally {
      button.disabled = false;
    }
  });
}
