// Loaded before editor.js on the test pages: records every Content-Security-Policy
// violation, so that the Go tests can prove the editor works under the
// newsroom's policy (no inline scripts, styles or event handlers).
'use strict';
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + (e.sample ? ': ' + e.sample : ''));
});
