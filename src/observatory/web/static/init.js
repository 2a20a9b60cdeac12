// GOV.UK Frontend's progressive enhancement, as a file (the Content-Security-Policy allows no
// inline scripts): mark the page as having JavaScript, then start the components.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
