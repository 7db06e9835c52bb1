/* retail-imports page-view tag. On every page:
   <script async src="https://COLLECTOR/tag.js" data-key="WRITE_KEY" data-crm-id="(CRM id once logged in)"></script>
   Sends one page view (Symbiosys visits fields) with a first-party visitor id
   cookie (2 years), a session id cookie (30 minutes, renewed on each page),
   the URL, referrer and UTM parameters. */
(function () {
  var tag = document.currentScript, key = tag && tag.getAttribute("data-key");
  if (!key) return;
  var endpoint = new URL("/v1/events?key=" + encodeURIComponent(key), tag.src).href;
  function id() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function cookie(name, seconds) {
    var found = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    var value = found ? decodeURIComponent(found[1]) : id();
    document.cookie = name + "=" + encodeURIComponent(value) + "; max-age=" + seconds + "; path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    return value;
  }
  var query = new URLSearchParams(location.search);
  var event = {
    event_id: id(), event_type: "page_view", event_time: new Date().toISOString(),
    visitor_id: cookie("_ri_vid", 63072000), session_id: cookie("_ri_sid", 1800),
    url: location.href, referrer: document.referrer || null, platform: "web", user_agent: navigator.userAgent
  };
  ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (name) {
    if (query.get(name)) event[name] = query.get(name);
  });
  if (tag.getAttribute("data-crm-id")) event.crm_id = tag.getAttribute("data-crm-id");
  var body = JSON.stringify(event);
  // text/plain keeps it a "simple" request: no CORS preflight, and sendBeacon survives the page closing.
  if (!(navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], {type: "text/plain"})))) {
    fetch(endpoint, {method: "POST", body: body, keepalive: true, headers: {"Content-Type": "text/plain"}});
  }
})();
