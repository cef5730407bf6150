"""Pure functions on text shared by every stage: Arabic normalisation, language, injection checks."""
