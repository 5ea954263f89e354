import type { DescribeTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsService } from './ecs.js';
import { SimFault } from './errors.js';
import { type Handler, op } from './world.js';

/**
 * DescribeTaskDefinition over the plan services' task definitions (one per service and region,
 * revision 1, as EcsModel names them). `taskDefinition` may be the family, family:revision or the
 * full ARN (ECS API Reference, DescribeTaskDefinition). Task-level cpu is a string of CPU units,
 * as ECS answers it after registration (TaskDefinition cpu: "converted to an integer indicating
 * the CPU units when the task definition is registered").
 */
export function describeTaskDefinition(services: () => readonly EcsService[], cpuUnits: number): Handler {
  return op<DescribeTaskDefinitionRequest>((input, region) => {
    const asked = input.taskDefinition ?? '';
    const found = services().find((s) => {
      if (s.region !== region) return false;
      const familyRevision = s.taskDefinition.slice(s.taskDefinition.lastIndexOf('/') + 1);
      const family = familyRevision.split(':')[0];
      return asked === s.taskDefinition || asked === familyRevision || asked === family;
    });
    if (!found) {
      // What ECS answers for a task definition it does not have (a ClientException, HTTP 400).
      throw new SimFault('ClientException', 'Unable to describe task definition.');
    }
    const familyRevision = found.taskDefinition.slice(found.taskDefinition.lastIndexOf('/') + 1);
    const [family = found.name, revision = '1'] = familyRevision.split(':');
    const taskDefinition: TaskDefinition = {
      taskDefinitionArn: found.taskDefinition,
      family,
      revision: Number(revision),
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      cpu: String(cpuUnits),
      // Twice the cpu in MiB: a valid Fargate pairing for 256 to 4096 units (ECS task size table).
      memory: String(cpuUnits * 2),
      containerDefinitions: [{ name: found.name, image: `${found.name}:live`, essential: true }],
      registeredAt: found.createdAt,
    };
    return { taskDefinition, tags: [] };
  });
}
