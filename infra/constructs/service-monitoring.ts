import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRIC_DIMENSIONS, METRICS_NAMESPACE } from '../../shared/metric-names';
import { SESSION_STATES } from '../../shared/session/state-machine';
import type { ServiceFunction } from './service-function';

export interface ServiceMonitoringProps {
  /** The HTTP functions by name: each gets a 5xx-rate alarm and a throttle alarm. */
  readonly httpFunctions: Readonly<Record<string, ServiceFunction>>;
  /** The push worker: a throttle alarm; its outcomes are on the dashboard. */
  readonly pushWorker: ServiceFunction;
  /** Where push jobs end after their last failed delivery: any message there is alarmed on. */
  readonly pushDeadLetterQueue: sqs.IQueue;
  /** The function that counts session transitions (the admin window): a failed update is alarmed on. */
  readonly sessionFunction: ServiceFunction;
  /** The function answering desktop startup checks. */
  readonly feedFunction: ServiceFunction;
  /**
   * The HTTP API, for its 4xx/5xx counts on the dashboard.
   * @default - not on the dashboard
   */
  readonly httpApi?: apigwv2.IHttpApi;
  /**
   * Topic the alarms notify (state changes to ALARM and back to OK). It must not be
   * encrypted with the AWS-managed `alias/aws/sns` key: CloudWatch cannot use it.
   * @default - a new topic encrypted with a customer-managed key CloudWatch may use
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Share of a function's invocations answered 5xx (or failed) that raises its alarm, in percent.
   * @default 5
   */
  readonly serverErrorRatePercent?: number;
  /**
   * Period of every alarm and graph.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * CloudWatch alarms and one dashboard for the service (docs/infrastructure.md):
 * - per HTTP function, the 5xx rate: (ServerErrors + Lambda Errors) ÷ Invocations,
 *   2 of 3 periods at or above the threshold;
 * - per function, any throttle;
 * - any job in the push dead-letter queue;
 * - any failed update (a session entering `failed`, SES-10), so support hears of it.
 * Every alarm notifies the alarm topic. The dashboard shows feed checks,
 * sessions by state, push outcomes and errors, from the custom metrics of
 * shared/metric-names.ts.
 */
export class ServiceMonitoring extends Construct {
  public readonly alarmTopic: sns.ITopic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const ratePercent = props.serverErrorRatePercent ?? 5;
    if (ratePercent <= 0 || ratePercent > 100) throw new Error('ServiceMonitoring: serverErrorRatePercent must be in (0, 100]');
    if (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0) throw new Error('ServiceMonitoring: period must be whole minutes');

    this.alarmTopic = props.alarmTopic ?? this.encryptedAlarmTopic();
    const action = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    const serverErrorRates: cloudwatch.MathExpression[] = [];
    for (const [name, fn] of Object.entries(props.httpFunctions)) {
      // ServerErrors: 5xx the code answered; Lambda Errors: crashes and timeouts (API Gateway answers 5xx for those).
      // Ids are unique per function: the dashboard graphs every rate together.
      const key = name.replace(/[^A-Za-z0-9]/g, '');
      const [answered, failed, invocations] = [`answered5xx${key}`, `failed${key}`, `invocations${key}`];
      const rate = new cloudwatch.MathExpression({
        expression: `IF(${invocations} > 0, 100 * (FILL(${answered}, 0) + FILL(${failed}, 0)) / ${invocations}, 0)`,
        usingMetrics: {
          [answered]: fn.customMetric(METRIC.serverErrors, { period }),
          [failed]: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
          [invocations]: fn.metricInvocations({ period, statistic: cloudwatch.Stats.SUM }),
        },
        label: `${name} 5xx %`,
        period,
      });
      serverErrorRates.push(rate);
      alarm(`ServerErrorRate-${name}`, {
        alarmDescription: `${name}: ${ratePercent}% or more of its requests answered 5xx (or failed) in 2 of 3 periods of ${period.toMinutes()} min. See the function's logs and X-Ray traces.`,
        metric: rate,
        threshold: ratePercent,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }

    const allFunctions = { ...props.httpFunctions, push: props.pushWorker };
    for (const [name, fn] of Object.entries(allFunctions)) {
      alarm(`Throttles-${name}`, {
        alarmDescription: `${name}: Lambda throttled invocations (account or reserved concurrency exhausted); callers got 429/5xx or SQS retried.`,
        metric: fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    const deadLetters = props.pushDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM });
    alarm('PushDeadLetters', {
      alarmDescription:
        'Push jobs failed 5 deliveries and wait in the dead-letter queue: devices were not woken (they still learn the command at their next check-in, DEV-7). Inspect the messages, then redrive or purge.',
      metric: deadLetters,
      threshold: 1,
      evaluationPeriods: 1,
    });

    const failedUpdates = props.sessionFunction.customMetric(METRIC.sessionTransitions, {
      dimensionsMap: { [METRIC_DIMENSIONS.state]: 'failed' },
      period,
      label: 'failed updates',
    });
    alarm('FailedUpdates', {
      alarmDescription:
        "A customer's desktop update terminated abnormally (session failed, SES-10): support sees it under failed updates (GET /v1/support/failed-updates).",
      metric: failedUpdates,
      threshold: 1,
      evaluationPeriods: 1,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const seconds = period.toSeconds();
    // Summed over whichever functions emit the metric (SEARCH), so the graph does not depend on who emits it.
    const summed = (metricName: string, label: string, filter = '') =>
      new cloudwatch.MathExpression({
        expression: `SUM(SEARCH('{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.service}${filter ? `,${METRIC_DIMENSIONS.state}` : ''}} MetricName="${metricName}"${filter}', 'Sum', ${seconds}))`,
        usingMetrics: {},
        label,
        period,
      });
    const width = 12;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Desktop startup checks (feed)',
        width,
        left: [props.feedFunction.customMetric(METRIC.feedChecks, { period, label: 'startup checks' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Sessions entering each state',
        width,
        stacked: true,
        left: SESSION_STATES.map((state) => summed(METRIC.sessionTransitions, state, ` ${METRIC_DIMENSIONS.state}="${state}"`)),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Push outcomes (devices)',
        width,
        left: [
          summed(METRIC.pushSent, 'reached'),
          summed(METRIC.pushFailed, 'not reached'),
          summed(METRIC.pushQueuedDevices, 'handed to the push queue'),
        ],
        right: [deadLetters.with({ label: 'jobs in the dead-letter queue' })],
      }),
      new cloudwatch.GraphWidget({
        title: '5xx rate per function (%)',
        width,
        left: serverErrorRates,
        leftAnnotations: [{ value: ratePercent, label: 'alarm' }],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        width,
        left: Object.entries(allFunctions).map(([name, fn]) =>
          fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: `${name} errors` }),
        ),
        right: Object.entries(allFunctions).map(([name, fn]) =>
          fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM, label: `${name} throttles` }),
        ),
      }),
      props.httpApi
        ? new cloudwatch.GraphWidget({
            title: 'HTTP API answers',
            width,
            left: [
              props.httpApi.metricServerError({ period, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
              props.httpApi.metricClientError({ period, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
            ],
          })
        : new cloudwatch.TextWidget({ markdown: 'No HTTP API given.', width }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms }));
  }

  /**
   * The alarm topic: encrypted with a customer-managed key whose policy lets
   * CloudWatch use it (it cannot use `alias/aws/sns`), TLS-only, and publishable by
   * this account's CloudWatch alarms only.
   */
  private encryptedAlarmTopic(): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'mOphas Update Cloud: encrypts the alarm topic (CloudWatch alarms may use it)',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsEncrypt',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'mOphas Update Cloud alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    return topic;
  }
}
