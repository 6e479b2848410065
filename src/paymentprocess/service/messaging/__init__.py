"""Events to other systems over RabbitMQ (docs/events.md): the relay that publishes the outbox
(`relay`), the reference consumer of the payments side (`consumer`, `queues`, `effects`), and what
both share (`broker`, `backoff`, `backlog`)."""
