"""The request pipeline (`_steps`) and the rules its steps call: model names, partner models,
request bodies, thought signatures, schemas, service tiers, failover and telemetry; and the repairs
of answers on the way back (streams, usage). The folder imports nothing itself."""
