"""Status histories: one mixin for the event tables and one function that writes an event and
its audit record (SYS-3), for licences, app certifications, recognitions and cases alike."""
