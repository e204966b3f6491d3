// Loaded before Sveltia CMS: it waits for editor.js to register our format.
window.CMS_MANUAL_INIT = true;
