"""Developer tooling, apart from the service code: a local Kafka broker, a worker
supervisor, the stack launcher of one-shot commands, and the demo."""
