"""sla: the case state machine (faust-streaming), the case view in MongoDB and the status API."""
