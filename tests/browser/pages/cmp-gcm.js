// Google Consent Mode v2 as a page sets it up before any tag loads:
// everything denied by default; the test calls
// gtag('consent', 'update', {analytics_storage: 'granted'}) as a banner would.
window.dataLayer = window.dataLayer || [];
function gtag() { window.dataLayer.push(arguments); }
gtag("consent", "default", {
  ad_storage: "denied",
  ad_user_data: "denied",
  ad_personalization: "denied",
  analytics_storage: "denied",
});
