// Progressive enhancement only: pages work without this file.
// Adds a "copy" button to every highlighted code block.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("pre.code").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "copy";
    button.addEventListener("click", function () {
      var code = pre.querySelector("code");
      navigator.clipboard.writeText(code ? code.innerText : pre.innerText).then(function () {
        button.textContent = "copied";
        setTimeout(function () { button.textContent = "copy"; }, 1500);
      });
    });
    pre.classList.add("has-copy");
    pre.appendChild(button);
  });
})();
