import { Body, Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { PseCaseCommand } from '@sanksi/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow, COMMAND_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiCommandBody } from './api-command-body.decorator';
import { CommandBodies as B } from '@sanksi/contracts';
import { type CommandResponse, commandContext, newPseId, respond } from './command-runner';
import { PseIdParam } from './pse-id.param';

type Req = FastifyRequest;
type Reply = FastifyReply;

/** Commands on cases (docs/regulation.md §15.2): each route builds one command and hands it to the command service. */
@ApiTags('commands')
@ApiBearerAuth()
@Allow(...COMMAND_ROLES)
@Controller('v1/cases')
export class CaseCommandsController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  private async run(
    request: Req,
    reply: Reply,
    occurredAt: string | undefined,
    command: PseCaseCommand,
  ): Promise<CommandResponse> {
    const outcome = await this.runtime.commands.execute(command, commandContext(request, occurredAt));
    return respond(reply, outcome);
  }

  @Post()
  @ApiOperation({ summary: 'Open a case for an electronic system (PseIdentified)' })
  @ApiCommandBody(B.OpenCaseBody)
  async open(@Body() body: unknown, @Req() req: Req, @Res({ passthrough: true }) reply: Reply) {
    const b = parseInput(B.OpenCaseBody, body);
    const { occurredAt, pseId, company, sector, ...rest } = b;
    return this.run(req, reply, occurredAt, {
      type: 'IdentifyPse',
      pseId: pseId ?? newPseId(req),
      company: company ?? null,
      sector: sector ?? null,
      ...rest,
    });
  }

  @Post(':pseId/warnings')
  @ApiOperation({ summary: 'Issue a written warning (teguran tertulis)' })
  @ApiCommandBody(B.IssueWarningBody)
  async warn(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.IssueWarningBody, body);
    return this.run(req, reply, occurredAt, { type: 'IssueWarning', pseId, ...b });
  }

  @Post(':pseId/fines')
  @ApiOperation({
    summary: 'Impose an administrative fine (denda administratif); the response names its fineId',
  })
  @ApiCommandBody(B.ImposeFineBody)
  async fine(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ImposeFineBody, body);
    const response = await this.run(req, reply, occurredAt, { type: 'ImposeFine', pseId, ...b });
    const imposed = response.events.find((e) => e.type === 'FineImposed');
    return { ...response, fineId: imposed ? (imposed.data as { fineId: string }).fineId : null };
  }

  @Post(':pseId/fines/:fineId/payments')
  @ApiOperation({ summary: 'Record a payment of a fine' })
  @ApiCommandBody(B.RecordPaymentBody)
  async pay(
    @PseIdParam() pseId: string,
    @Param('fineId') fineId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.RecordPaymentBody, body);
    return this.run(req, reply, occurredAt, { type: 'RecordFinePayment', pseId, fineId, ...b });
  }

  @Post(':pseId/fines/:fineId/annulment')
  @ApiOperation({ summary: 'Annul a fine (on appeal)' })
  @ApiCommandBody(B.ReasonBody)
  async annul(
    @PseIdParam() pseId: string,
    @Param('fineId') fineId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'AnnulFine', pseId, fineId, ...b });
  }

  @Post(':pseId/blocks')
  @ApiOperation({ summary: 'Block access (pemutusan akses): the domains go on the blocklist' })
  @ApiCommandBody(B.BlockAccessBody)
  async block(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.BlockAccessBody, body);
    return this.run(req, reply, occurredAt, { type: 'BlockAccess', pseId, ...b });
  }

  @Post(':pseId/temporary-restorations')
  @ApiOperation({ summary: 'Restore access temporarily until a time (normalisasi sementara)' })
  @ApiCommandBody(B.TemporaryRestorationBody)
  async restoreTemporarily(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.TemporaryRestorationBody, body);
    return this.run(req, reply, occurredAt, { type: 'RestoreAccessTemporarily', pseId, ...b });
  }

  @Post(':pseId/restorations')
  @ApiOperation({
    summary: 'Restore access (normalisasi); refused after more than 3 blocks unless an admin overrides',
  })
  @ApiCommandBody(B.RestoreAccessBody)
  async restore(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.RestoreAccessBody, body);
    return this.run(req, reply, occurredAt, { type: 'RestoreAccess', pseId, ...b });
  }

  @Post(':pseId/normalisation-requests')
  @ApiOperation({
    summary:
      'Record a request for normalisation (MR5 Art. 20): the ministry answers within 2 × 24 hours, by restoring access or refusing',
  })
  @ApiCommandBody(B.ReasonBody)
  async requestNormalisation(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'RequestNormalisation', pseId, ...b });
  }

  @Post(':pseId/normalisation-requests/refusal')
  @ApiOperation({ summary: 'Refuse the pending normalisation request (MR5 Art. 20); the block stands' })
  @ApiCommandBody(B.ReasonBody)
  async refuseNormalisation(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'RefuseNormalisation', pseId, ...b });
  }

  @Post(':pseId/registrations')
  @ApiOperation({ summary: 'Record a submitted registration (OSS or manual)' })
  @ApiCommandBody(B.SubmitRegistrationBody)
  async submit(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.SubmitRegistrationBody, body);
    return this.run(req, reply, occurredAt, { type: 'SubmitRegistration', pseId, ...b });
  }

  @Post(':pseId/registrations/confirmation')
  @ApiOperation({
    summary: 'Confirm a registration (certificate issued); a blocked case is normalised in the same append',
  })
  @ApiCommandBody(B.ConfirmRegistrationBody)
  async confirm(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ConfirmRegistrationBody, body);
    return this.run(req, reply, occurredAt, { type: 'ConfirmRegistration', pseId, ...b });
  }

  @Post(':pseId/registrations/rejection')
  @ApiOperation({ summary: 'Reject a submitted registration' })
  @ApiCommandBody(B.ReasonBody)
  async reject(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'RejectRegistration', pseId, ...b });
  }

  @Post(':pseId/suspensions')
  @ApiOperation({
    summary: 'Suspend a registration (by TAKEL or PAI); revoked after 7 days without response',
  })
  @ApiCommandBody(B.SuspendRegistrationBody)
  async suspend(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.SuspendRegistrationBody, body);
    return this.run(req, reply, occurredAt, { type: 'SuspendRegistration', pseId, ...b });
  }

  @Post(':pseId/suspensions/lifting')
  @ApiOperation({ summary: 'Lift a suspension (the operator answered in time)' })
  @ApiCommandBody(B.ReasonBody)
  async liftSuspension(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'LiftSuspension', pseId, ...b });
  }

  @Post(':pseId/revocations')
  @ApiOperation({ summary: 'Revoke a registration (MR5 Art. 7(3)); the system is blocked' })
  @ApiCommandBody(B.ReasonBody)
  async revoke(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'RevokeRegistration', pseId, ...b });
  }

  @Post(':pseId/exemptions')
  @ApiOperation({ summary: 'Exempt a system not obliged to register; closes the case and lifts any block' })
  @ApiCommandBody(B.ReasonBody)
  async exempt(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.ReasonBody, body);
    return this.run(req, reply, occurredAt, { type: 'GrantExemption', pseId, ...b });
  }

  @Post(':pseId/policy-migrations')
  @ApiOperation({ summary: 'Migrate the case to another policy version' })
  @ApiCommandBody(B.MigratePolicyBody)
  async migrate(
    @PseIdParam() pseId: string,
    @Body() body: unknown,
    @Req() req: Req,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { occurredAt, ...b } = parseInput(B.MigratePolicyBody, body);
    return this.run(req, reply, occurredAt, { type: 'MigratePolicy', pseId, ...b });
  }
}
