/**
 * Stage 2, the queue: envelope and per-recipient state in embedded H2 through HikariCP, message bodies
 * as fsync'd spool files. The only package that runs SQL.
 *
 * <p>Durability: body file fsync'd and renamed, rows committed, then {@code CHECKPOINT SYNC}
 * (group-committed) before anything is reported stored.
 *
 * <p>Failure: {@link jmail.queue.QueueException} says what could not be done and where; a full disk is
 * recognisable so the listener can answer 452 4.3.1.
 */
package jmail.queue;
