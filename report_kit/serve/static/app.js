/* report-kit serve: a little plain ES5 for old Chromium-based browsers. Everything works
   without it (the form posts normally); with it, a dropped file is uploaded directly and the
   office list can be filtered. No inline handlers: the page's CSP forbids inline scripts. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var progress = document.getElementById("progress");

  function say(text) { if (progress) { progress.textContent = text; } }

  function send(file) {
    if (!form || !file || !window.FormData || !window.XMLHttpRequest) { return false; }
    var data = new FormData();
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-api"), true);
    xhr.setRequestHeader("Accept", "application/json");
    if (xhr.upload) {
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { say("正在上传 " + Math.round(e.loaded * 100 / e.total) + "%……"); }
      };
    }
    xhr.onload = function () {
      if (xhr.status === 200) {
        say("已上传，正在显示校验结果……");
        window.location.href = window.location.pathname + "#result";
        window.location.reload();
      } else if (xhr.status === 413) {
        say("文件过大，未上传。");
      } else {
        var message = "上传失败（" + xhr.status + "）";
        try { message = JSON.parse(xhr.responseText).error || message; } catch (ignore) {}
        say(message);
      }
    };
    xhr.onerror = function () { say("网络连接失败，请稍后重试。"); };
    say("正在上传……");
    xhr.send(data);
    return true;
  }

  if (drop && input) {
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.className = "drop over"; }, false);
    drop.addEventListener("dragleave", function () { drop.className = "drop"; }, false);
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.className = "drop";
      var files = e.dataTransfer && e.dataTransfer.files;
      if (files && files.length) { send(files[0]); }
    }, false);
  }
  if (form && input) {
    form.addEventListener("submit", function (e) {
      if (input.files && input.files.length && send(input.files[0])) { e.preventDefault(); }
    }, false);
  }

  var filter = document.getElementById("filter");
  var table = document.getElementById("unit-table");
  if (filter && table) {
    filter.addEventListener("input", function () {
      var needle = filter.value.replace(/\s+/g, "");
      var rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var name = rows[i].getAttribute("data-name") || "";
        rows[i].style.display = !needle || name.indexOf(needle) >= 0 ? "" : "none";
      }
    }, false);
  }
  var copies = document.querySelectorAll ? document.querySelectorAll("input.copy") : [];
  for (var j = 0; j < copies.length; j++) {
    copies[j].addEventListener("focus", function () { this.select(); }, false);
  }
})();
