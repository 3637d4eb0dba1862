/** The RolloutStrategy of a service (see lib/ecs/strategy.ts). */
import type { Service } from '@aws-sdk/client-ecs';
import { chooseStrategy, isNativeStrategy, type RolloutStrategy, type StrategyName } from '../strategy';
import { nativeStrategy } from './native';
import { rollingStrategy } from './rolling';

export function strategyByName(name: StrategyName): RolloutStrategy {
  return isNativeStrategy(name) ? nativeStrategy(name) : rollingStrategy;
}

/** Refuses (ActionFailure, before any change) a controller or strategy gantry does not support. */
export function strategyFor(service: Service): RolloutStrategy {
  return strategyByName(chooseStrategy(service));
}
