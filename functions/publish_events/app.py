"""The outbox's relay: records of the customers table's stream (committed changes only) to
customer events on the EventBridge bus. A record that fails is reported alone (the batch's
others are not retried with it); after every retry it goes to the dead-letter queue."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api.domain.events import publish_change
from customer_api.edge.observability import logger, metrics, traced

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def publish(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if record.event_name is None or change is None or record.event_id is None:
        return
    # An image the record lacks reads as empty.
    old, new = change.old_image or None, change.new_image or None
    published = publish_change(record.event_id, record.event_name.name, old, new)
    for event in published:
        # The type and the customer, never the detail: it may carry an encrypted token.
        logger.info("Event published", extra={"detail_type": event.detail_type, "event_id": event.detail["event_id"]})


@logger.inject_lambda_context
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=publish, processor=processor, context=context)
