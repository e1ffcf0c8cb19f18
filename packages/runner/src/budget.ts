import type { GenerateRequestV1, LoglikelihoodRequestV1, TokenPriceV1 } from '@evalchemy/core';
import { costOf } from './prices.js';

/** Why a request was not sent: it could have taken the run past its `--max_cost` budget. */
export class BudgetReached extends Error {
  constructor(maxCostUsd: number, spentUsd: number) {
    super(
      `not sent: the run's budget (--max_cost ${maxCostUsd} USD) could be exceeded (spent ${spentUsd.toFixed(6)} USD ` +
        'so far). The same command with a larger --max_cost sends it.',
    );
    this.name = 'BudgetReached';
  }
}

/**
 * Generated tokens assumed for a request that sets no `maxTokens`, when reserving its cost: the most that
 * Anthropic's backend asks for by default, and more than most benchmarks' answers.
 */
const assumedMaxTokens = 4096;

/**
 * The most a request could cost before it is sent: its prompt at one token per three characters (English text
 * averages about four) and every token it may generate.
 */
export function costCeiling(
  request: GenerateRequestV1 | LoglikelihoodRequestV1,
  price: TokenPriceV1,
): number {
  const promptCharacters =
    request.type === 'chat'
      ? request.messages.reduce((sum, message) => sum + message.content.length + 4, 0)
      : request.type === 'completion'
        ? request.prompt.length
        : request.context.length + request.continuation.length;
  const completionTokens =
    request.type === 'loglikelihood' ? 1 : (request.parameters.maxTokens ?? assumedMaxTokens);
  return costOf(price, { promptTokens: Math.ceil(promptCharacters / 3), completionTokens });
}

/**
 * The `--max_cost` budget over the model's and the judges' requests. Before a request is sent its cost ceiling
 * is reserved; when spent plus reserved plus that ceiling would exceed the budget, the request and every later
 * one are refused (`BudgetReached`) while the requests in flight finish; a finished request's reservation
 * becomes its real cost.
 */
export class Budget {
  spentUsd = 0;
  #reservedUsd = 0;
  /** Whether a request was refused. */
  reached = false;
  /** Requests refused. */
  requestsNotSent = 0;

  constructor(readonly maxCostUsd: number) {}

  /** Reserves `ceilingUsd`, or throws `BudgetReached`. Call `settle` with the real cost once the request ends. */
  reserve(ceilingUsd: number): { settle(costUsd: number): void } {
    if (this.reached || this.spentUsd + this.#reservedUsd + ceilingUsd > this.maxCostUsd) {
      this.reached = true;
      this.requestsNotSent += 1;
      throw new BudgetReached(this.maxCostUsd, this.spentUsd);
    }
    this.#reservedUsd += ceilingUsd;
    let settled = false;
    return {
      settle: (costUsd: number) => {
        if (settled) return;
        settled = true;
        this.#reservedUsd -= ceilingUsd;
        this.spentUsd += costUsd;
      },
    };
  }
}
