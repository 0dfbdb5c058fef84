// A minimal IAB TCF v2.2 CMP: consent UI shown, no consent yet; the test
// calls __tcfGrant() as if the visitor accepted everything.
(function () {
  var listeners = [];
  var nextId = 1;
  var tcData = {
    tcString: "",
    tcfPolicyVersion: 4,
    cmpId: 300,
    cmpVersion: 1,
    gdprApplies: true,
    eventStatus: "cmpuishown",
    cmpStatus: "loaded",
    purpose: { consents: {}, legitimateInterests: {} },
    vendor: { consents: {}, legitimateInterests: {} },
  };
  window.__tcfapi = function (command, version, callback, parameter) {
    if (command === "addEventListener") {
      var id = nextId++;
      listeners.push({ id: id, callback: callback });
      callback(Object.assign({ listenerId: id }, tcData), true);
    } else if (command === "removeEventListener") {
      listeners = listeners.filter(function (l) { return l.id !== parameter; });
      callback(true);
    } else if (command === "ping") {
      callback({ gdprApplies: true, cmpLoaded: true, cmpStatus: "loaded", apiVersion: "2.2" }, true);
    } else if (command === "getTCData") {
      callback(tcData, true);
    }
  };
  window.__tcfGrant = function () {
    var all = {};
    for (var p = 1; p <= 11; p++) all[p] = true;
    tcData = Object.assign({}, tcData, {
      eventStatus: "useractioncomplete",
      tcString: "CQTEST0QTEST0AcABBENBJFgAP_gAEPgAAAAKZtV_G__bWlr8X73aftkeY1P9_h77sQxBhfJE-4FzLvW_JwXx2ExNA36tqIKmRIAu3TBIQNlGJDURVCgaogVryDMaEiUoTNKJ6BkiFMRM2dYCFxvm4tjeQCY5vr991d52R-t7dr83dzyy4hHn3a5_2S1WJCdA5-tDfv9bROb-9IOd_x8v4v4_F_pE2_eT1l_tWvp7D9-cts7_XW89_fff_9Ln_-uB_-_3_vBUAAkw0KiAMsiQkINAwggQAqCsICKBAAAACQNEBACYMCnYGAS6wkQAgBQADBACAAEGAAIAABIAEIgAoAKBAABAIFAAGABAMBAAMAAoACwAIAQAAAIACoAABQEAAgABAAAAJAgEAAIAAAAAAAAAAAAIAAAAAAAIAAAAAAAAAAA",
      purpose: { consents: all, legitimateInterests: {} },
    });
    listeners.forEach(function (l) { l.callback(Object.assign({ listenerId: l.id }, tcData), true); });
  };
})();
