"""Plain text or Markdown → an ordinary spec: scenes, cards with keywords highlighted,
narration, subtitles, a palette and music chosen by sentiment."""
