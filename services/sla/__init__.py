"""sla: the case state machine (state in MongoDB), the public case view and the status API."""
