/* The remembered theme before the first paint, for the error page (rendered without a request,
   so without the nonce that admits base.html's inline copy of this line). */
try { var t = localStorage.getItem("theme"); if (t === "light" || t === "dark") document.documentElement.dataset.theme = t; } catch (e) { /* private mode */ }
