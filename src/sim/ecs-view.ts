import type { Service } from '@aws-sdk/client-ecs';
import type { EcsService } from './ecs.js';

const PLACEMENT_FAILURE =
  'was unable to place a task because no container instance met all of its requirements. The closest matching container-instance has insufficient CPU units available.';

/**
 * DescribeServices' shape of a service; events are newest first, as ECS lists them. `desired` is
 * the desiredCount the answering replica has seen (EcsModel: reads are eventually consistent).
 */
export function serviceView(
  svc: EcsService,
  running: number,
  pending: number,
  desired: number = svc.desired,
): Service {
  return {
    serviceArn: svc.arn,
    serviceName: svc.name,
    clusterArn: svc.clusterArn,
    loadBalancers: [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: desired,
    runningCount: running,
    pendingCount: pending,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: svc.taskDefinition,
    // Fargate requires awsvpc: every service names its subnets (two, one per Availability Zone:
    // modelling choice; the IDs are made up, stable per region).
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [`subnet-0${regionTag(svc.region)}a1`, `subnet-0${regionTag(svc.region)}b2`],
        securityGroups: [`sg-0${regionTag(svc.region)}c3`],
        assignPublicIp: 'DISABLED',
      },
    },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    // A desiredCount change adds no deployment: there is one PRIMARY while tasks start or drain.
    deployments: [
      {
        id: svc.deploymentId,
        status: 'PRIMARY',
        taskDefinition: svc.taskDefinition,
        desiredCount: desired,
        pendingCount: pending,
        runningCount: running,
        failedTasks: 0,
        createdAt: svc.createdAt,
        updatedAt: svc.updatedAt,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        platformFamily: 'Linux',
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${svc.deploymentId} completed.`,
      },
    ],
    events: svc.events
      .map((e) => ({
        id: e.id,
        createdAt: new Date(e.at),
        message: `(service ${svc.name}) ${PLACEMENT_FAILURE}`,
      }))
      .reverse(),
    createdAt: svc.createdAt,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    enableExecuteCommand: false,
    healthCheckGracePeriodSeconds: 60,
  };
}

/** A short stable tag of a region for made-up resource IDs: us-west-2 -> uw2. */
function regionTag(region: string): string {
  return region.replace(/^(\w)\w*-(\w)\w*-(\d+)$/, '$1$2$3').replace(/[^a-z0-9]/g, '');
}
