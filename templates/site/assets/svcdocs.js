/* svcdocs: diagrams that fit the page and can be explored, and a few
   accessibility fixes to the theme. Plain script, no library, nothing loaded
   from the network.

   Each diagram (figure.svcdocs-diagram) opens fitted to the page's width.
   Its tools zoom in and out, fit it again and open it full size; in its view,
   drag (or one finger, once zoomed) pans, Ctrl or Cmd with the wheel (or two
   fingers) zooms, and with the keyboard + - 0 and the arrow keys do the same.
   Pointing at or focusing a box shows what it is, its level and why; the
   first click (or Enter) on a box selects it and shows the paths into it, the
   second opens its page. */
(function () {
  "use strict";
  var XLINK = "http://www.w3.org/1999/xlink";
  var STEP = 1.25, MOST = 4, PAN = 60;

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  /* --- The theme: a name for its search dialog, and focusable scroll regions --- */

  function theme() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
    scrollRegions();
  }

  /* A table wider than the page scrolls in its wrapper: keyboard users reach it there. */
  function scrollRegions() {
    var wrappers = document.querySelectorAll(".md-typeset__scrollwrap, .svcdocs-compare");
    for (var i = 0; i < wrappers.length; i++) {
      var wrapper = wrappers[i];
      if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", "Table" + heading(wrapper) + ", scrolls sideways");
      } else if (wrapper.getAttribute("role") === "region") {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    }
  }

  function heading(element) {
    for (var node = element; node; node = node.previousElementSibling || node.parentElement) {
      if (/^H[1-3]$/.test(node.tagName)) return ": " + node.textContent.replace(/¶/g, "").trim();
      if (node.classList && node.classList.contains("md-content")) break;
    }
    return "";
  }

  /* --- A diagram -------------------------------------------------------------- */

  function Diagram(figure, view, svg) {
    this.figure = figure;
    this.view = view;
    this.svg = svg;
    this.width = parseFloat(svg.getAttribute("width")) * 4 / 3;  /* pt -> px */
    this.height = parseFloat(svg.getAttribute("height")) * 4 / 3;
    this.scale = 1; this.x = 0; this.y = 0; this.fitted = true;
    this.pointers = {}; this.moved = false; this.selected = null;
    svg.style.maxWidth = "none";
    svg.style.width = this.width + "px";
    svg.style.height = this.height + "px";
    this.tools();
    this.tip = element("div", "svcdocs-tip", figure);
    this.tip.setAttribute("role", "tooltip");
    this.tip.id = svg.getAttribute("aria-labelledby").replace(/-alt$/, "-tip");
    this.tip.hidden = true;
    this.boxes();
    this.listen();
    this.fit();
  }

  Diagram.prototype.tools = function () {
    var bar = document.createElement("div"), self = this;
    bar.className = "svcdocs-diagram-tools";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Diagram tools");
    [["−", "Zoom out", function () { self.zoomBy(1 / STEP); }],
     ["+", "Zoom in", function () { self.zoomBy(STEP); }],
     ["Fit", "Fit to the page", function () { self.fit(); }],
     ["Full size", "Open full size", function () { self.full(); }]].forEach(function (tool) {
      var button = element("button", "", bar);
      button.type = "button";
      button.textContent = tool[0];
      button.setAttribute("aria-label", tool[1]);
      button.title = tool[1];
      button.addEventListener("click", tool[2]);
    });
    element("span", "svcdocs-diagram-hint", bar).textContent =
      "Drag to pan, Ctrl + wheel to zoom; keys + − 0 and arrows. Click a box for the paths into it, again to open it.";
    this.figure.insertBefore(bar, this.view);
  };

  /* The largest scale that shows the whole width; never larger than the drawing itself. */
  Diagram.prototype.fitScale = function () {
    return Math.min(1, (this.view.clientWidth || this.width) / this.width);
  };

  Diagram.prototype.fit = function () {
    this.fitted = true;
    this.scale = this.fitScale();
    this.x = 0; this.y = 0;
    this.apply();
  };

  Diagram.prototype.zoomBy = function (factor, atX, atY) {
    var fit = this.fitScale();
    var scale = Math.max(fit, Math.min(Math.max(MOST, fit), this.scale * factor));
    if (atX === undefined) { atX = this.view.clientWidth / 2; atY = this.view.clientHeight / 2; }
    this.x = atX - (atX - this.x) * scale / this.scale;
    this.y = atY - (atY - this.y) * scale / this.scale;
    this.scale = scale;
    this.fitted = scale <= fit;
    this.apply();
  };

  Diagram.prototype.panBy = function (dx, dy) {
    this.x += dx; this.y += dy;
    this.apply();
  };

  /* The view is as tall as the fitted drawing, and grows with the zoom up to
     three quarters of the window; the drawing never leaves it. */
  Diagram.prototype.apply = function () {
    var fit = this.fitScale(), width = this.width * this.scale, height = this.height * this.scale;
    var base = this.height * fit;
    var tall = Math.max(base, Math.min(height, window.innerHeight * 0.75));
    this.view.style.height = tall + "px";
    var viewWidth = this.view.clientWidth;
    this.x = width <= viewWidth ? (viewWidth - width) / 2 : Math.min(0, Math.max(viewWidth - width, this.x));
    this.y = height <= tall ? 0 : Math.min(0, Math.max(tall - height, this.y));
    this.svg.style.transform = "translate(" + this.x + "px, " + this.y + "px) scale(" + this.scale + ")";
    this.view.classList.toggle("svcdocs-zoomed", !this.fitted);
  };

  Diagram.prototype.listen = function () {
    var self = this, view = this.view;
    view.addEventListener("keydown", function (event) {
      if (event.target !== view || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key, done = true;
      if (key === "+" || key === "=") self.zoomBy(STEP);
      else if (key === "-" || key === "_") self.zoomBy(1 / STEP);
      else if (key === "0") self.fit();
      else if (self.fitted) done = false;  /* nothing to pan: the arrows scroll the page */
      else if (key === "ArrowLeft") self.panBy(PAN, 0);
      else if (key === "ArrowRight") self.panBy(-PAN, 0);
      else if (key === "ArrowUp") self.panBy(0, PAN);
      else if (key === "ArrowDown") self.panBy(0, -PAN);
      else done = false;
      if (done) event.preventDefault();
    });
    view.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      var box = view.getBoundingClientRect();
      self.zoomBy(Math.pow(STEP, -event.deltaY / 100), event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });
    view.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      self.pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      self.moved = false;
    });
    view.addEventListener("pointermove", function (event) {
      var last = self.pointers[event.pointerId];
      if (!last) return;
      var ids = Object.keys(self.pointers);
      var dx = event.clientX - last.x, dy = event.clientY - last.y;
      if (ids.length === 2) {
        var other = self.pointers[ids[0] == event.pointerId ? ids[1] : ids[0]];
        var before = Math.hypot(last.x - other.x, last.y - other.y);
        var after = Math.hypot(event.clientX - other.x, event.clientY - other.y);
        var box = view.getBoundingClientRect();
        if (before > 0) self.zoomBy(after / before, (event.clientX + other.x) / 2 - box.left,
                                    (event.clientY + other.y) / 2 - box.top);
        self.moved = true;
      } else if (self.moved || Math.abs(dx) + Math.abs(dy) > 4) {
        if (!self.moved) view.setPointerCapture(event.pointerId);
        self.moved = true;
        view.classList.add("svcdocs-dragging");
        self.panBy(dx, dy);
      } else {
        return;  /* not yet a drag: keep the starting point */
      }
      self.pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
    });
    function up(event) {
      delete self.pointers[event.pointerId];
      view.classList.remove("svcdocs-dragging");
    }
    view.addEventListener("pointerup", up);
    view.addEventListener("pointercancel", up);
    /* A drag is not a click: the box it started on is not selected or opened. */
    view.addEventListener("click", function (event) {
      if (self.moved) { event.preventDefault(); event.stopPropagation(); self.moved = false; }
    }, true);
    window.addEventListener("resize", function () {
      if (self.fitted) self.fit(); else self.apply();
    });
  };

  /* --- The boxes: what each is and why, and the paths into it ------------------ */

  Diagram.prototype.boxes = function () {
    var self = this, links = this.svg.querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      var title = links[i].getAttributeNS(XLINK, "title");
      if (title) {  /* the script shows it, on focus too: not the browser's tooltip as well */
        links[i].setAttribute("data-tip", title);
        links[i].removeAttributeNS(XLINK, "title");
      }
    }
    this.svg.addEventListener("pointerover", function (event) { self.point(event.target, false); });
    this.svg.addEventListener("pointerout", function () { if (!self.selected) self.tip.hidden = true; });
    this.svg.addEventListener("focusin", function (event) { self.point(event.target, true); });
    this.svg.addEventListener("focusout", function () { if (!self.selected) self.tip.hidden = true; });
    this.svg.addEventListener("click", function (event) { self.click(event); });
    this.figure.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && self.selected) { self.select(null); event.preventDefault(); }
    });
  };

  Diagram.prototype.point = function (target, focused) {
    var link = target.closest && target.closest("a[data-tip]");
    if (!link || (this.selected && this.selected !== link.closest("g.node"))) return;
    this.show(link, focused);
  };

  Diagram.prototype.show = function (link, focused) {
    var node = link.closest("g.node");
    var lines = link.getAttribute("data-tip");
    if (node && (link.hasAttributeNS(XLINK, "href") || link.hasAttribute("href"))) {
      lines += node === this.selected ? "\nClick again" + (focused ? " or press Enter" : "") + " to open its page."
                                      : "\nClick" + (focused ? " or press Enter" : "") + " to see the paths into it.";
    }
    this.tip.textContent = lines;
    this.tip.hidden = false;
    link.setAttribute("aria-describedby", this.tip.id);
    var box = link.getBoundingClientRect(), frame = this.figure.getBoundingClientRect();
    var left = Math.max(0, Math.min(box.left - frame.left, frame.width - this.tip.offsetWidth));
    var top = box.bottom - frame.top + 6;
    if (box.bottom + this.tip.offsetHeight + 6 > window.innerHeight && box.top - frame.top > this.tip.offsetHeight) {
      top = box.top - frame.top - this.tip.offsetHeight - 6;
    }
    this.tip.style.left = left + "px";
    this.tip.style.top = top + "px";
  };

  Diagram.prototype.click = function (event) {
    var link = event.target.closest && event.target.closest("a");
    var node = link && link.closest("g.node");
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (!node) { this.select(null); return; }
    if (node === this.selected) return;  /* the second click opens its page */
    event.preventDefault();
    this.select(node);
    this.show(link, event.detail === 0);
  };

  /* Select a box (or none): the boxes and edges on the paths into it stay, the rest fade.
     The paths lead back to where traffic comes from (the internet, a router, a
     Service); a call is one step back, to its caller, not to the caller's own callers. */
  Diagram.prototype.select = function (node) {
    var marked = this.svg.querySelectorAll(".svcdocs-on, .svcdocs-picked");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("svcdocs-on", "svcdocs-picked");
    this.selected = node;
    this.figure.classList.toggle("svcdocs-selecting", !!node);
    if (!node) { this.tip.hidden = true; return; }
    node.classList.add("svcdocs-on", "svcdocs-picked");
    var queue = [index(node, "n")], seen = {};
    while (queue.length) {
      var at = queue.pop();
      if (seen[at]) continue;
      seen[at] = true;
      var edges = this.svg.querySelectorAll("g.edge.t" + at);
      for (var j = 0; j < edges.length; j++) {
        edges[j].classList.add("svcdocs-on");
        var from = index(edges[j], "s");
        var box = this.svg.querySelector("g.node.n" + from);
        if (box) box.classList.add("svcdocs-on");
        if (!edges[j].classList.contains("calls")) queue.push(from);
      }
    }
  };

  function index(element, prefix) {
    for (var i = 0; i < element.classList.length; i++) {
      var name = element.classList[i];
      if (name.charAt(0) === prefix && /^\d+$/.test(name.slice(1))) return name.slice(1);
    }
    return "";
  }

  /* --- Full size: the drawing at its own size in a dialog, scrolled ------------- */

  Diagram.prototype.full = function () {
    var self = this, dialog = document.createElement("dialog");
    dialog.className = "svcdocs-full";
    dialog.setAttribute("aria-label", this.view.getAttribute("aria-label") + ", full size");
    var bar = element("div", "svcdocs-full-bar", dialog);
    element("span", "", bar).textContent = this.view.getAttribute("aria-label").replace(/^Diagram: /, "");
    var close = element("button", "", bar);
    close.type = "button";
    close.textContent = "Close";
    var scroller = element("div", "svcdocs-full-view", dialog);
    scroller.setAttribute("tabindex", "0");
    scroller.setAttribute("role", "region");
    scroller.setAttribute("aria-label", "The diagram at full size");
    var transform = this.svg.style.transform;
    this.svg.style.transform = "none";
    scroller.appendChild(this.svg);
    document.body.appendChild(dialog);
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      self.view.appendChild(self.svg);
      self.svg.style.transform = transform;
      dialog.remove();
      self.apply();
      self.view.focus();
    });
    dialog.showModal();
    scroller.focus();
  };

  function element(tag, className, parent) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    parent.appendChild(made);
    return made;
  }

  ready(function () {
    theme();
    var views = document.querySelectorAll("figure.svcdocs-diagram > .svcdocs-diagram-view");
    for (var i = 0; i < views.length; i++) {
      var svg = views[i].querySelector(":scope > svg[aria-labelledby]");
      if (svg) new Diagram(views[i].parentElement, views[i], svg);
    }
    if (document.querySelector(".svcdocs-diagram-tools")) {  /* the legend's words on exploring (not for Mermaid) */
      var explore = document.querySelectorAll(".svcdocs-legend-explore");
      for (var j = 0; j < explore.length; j++) explore[j].hidden = false;
    }
    window.addEventListener("load", scrollRegions);
    var timer;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(scrollRegions, 200); });
  });
})();
