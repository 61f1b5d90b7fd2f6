"""notify: tells reporters about their case on the channel they used (issue 11)."""
